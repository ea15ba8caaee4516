"""Reports: the province report (HTML, PDF), the national report and the editable formats
(DOCX, XLSX), with their maps, charts and texts. Data in (``model``, ``national_model``),
documents out."""

"""zonemap rendering: folium maps and HTML pages, served air-gapped (no CDN)."""

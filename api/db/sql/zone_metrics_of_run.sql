-- One zone's footprint metrics in analysis run :run (areas in ha, distances in m, shares 0-1).
SELECT m.planned_ha, m.actual_ha, m.intersection_ha, m.iou, m.encroachment_ha,
       m.encroachment_share, m.unbuilt_ha, m.unbuilt_share, m.hausdorff_m, m.centroid_shift_m,
       m.worst_severity
FROM zone_metrics m
WHERE m.run_id IN (SELECT part_id FROM run_parts WHERE run_id = :run) AND m.zone_code = :code

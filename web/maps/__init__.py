"""The interactive maps: the Leaflet map application of the site's pages, layer styles, the
planner's pages (national, province, zone) and their small charts."""

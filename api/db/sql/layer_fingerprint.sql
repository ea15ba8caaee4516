-- Changes with every write to the tables the map layers read (bumped by statement triggers in
-- the same transaction as the write): the key of cached aggregate layers (the heat map).
SELECT version FROM zonemap_data_version

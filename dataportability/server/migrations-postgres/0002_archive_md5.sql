-- The MD5 of each archive, as the sink computed it over the bytes it stored (NULL for
-- archives stored before); as ../migrations/0002_archive_md5.sql.
ALTER TABLE archives ADD COLUMN md5 TEXT;

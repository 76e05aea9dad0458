-- The MD5 of each archive, as the sink computed it over the bytes it stored (NULL for
-- archives stored before).
ALTER TABLE archives ADD COLUMN md5 TEXT;

-- User database, version 4: drop `imported_benchmarks` (version 2). Nothing ever wrote to it;
-- the opening migration takes a backup copy first, so a row put there by hand is not lost.
-- Numbered 4, not 3: version 3 is claimed by the measure-this-PC work (0003_measurements.sql).
DROP TABLE IF EXISTS imported_benchmarks;

-- A fixture the sample uploads before its tests and loads with psql on the server.
CREATE TABLE pages (path text PRIMARY KEY, title text NOT NULL);
INSERT INTO pages VALUES ('/', 'Home'), ('/odd', 'Odd visits'), ('/even', 'Even visits');

-- Runs once, when the PostgreSQL volume is created: the dashboard gets a database of its own
-- (the MLM app uses POSTGRES_DB). Both belong to the POSTGRES_USER account.
CREATE DATABASE dashboard;

CREATE TABLE IF NOT EXISTS visits (
  id bigserial PRIMARY KEY,
  page text NOT NULL,
  visited_at timestamptz NOT NULL DEFAULT now()
);

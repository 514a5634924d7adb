package dev.muxtest.samples.spring;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The visits of each page, in the table {@code visits} (see {@code schema.sql}). */
@Repository
public class Visits {

  private final JdbcClient jdbc;

  /** Visits stored through {@code jdbc}. */
  public Visits(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Records one visit of {@code page}. */
  public void record(String page) {
    jdbc.sql("INSERT INTO visits (page) VALUES (:page)").param("page", page).update();
  }

  /** How many visits {@code page} has had. */
  public long count(String page) {
    return jdbc.sql("SELECT count(*) FROM visits WHERE page = :page")
        .param("page", page)
        .query(Long.class)
        .single();
  }
}

package dev.muxtest.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small application that counts page visits in PostgreSQL, with plain JDBC ({@link
 * org.springframework.jdbc.core.simple.JdbcClient} on Spring Boot's Hikari pool). Its database is
 * configured the usual way, {@code spring.datasource.*}; its tests point that at a tunnel.
 */
@SpringBootApplication
public class VisitsApplication {

  /** Runs the application. */
  public static void main(String[] args) {
    SpringApplication.run(VisitsApplication.class, args);
  }
}

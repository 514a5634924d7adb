package dev.muxtest.samples.spring;

import org.junit.jupiter.api.Order;

/**
 * The first class of the run on the shared configuration: it creates the application context, whose
 * datasource URL names the tunnel's port. Its tests are inherited.
 */
@Order(1)
class VisitsTest extends DatabaseBehindBastion {}

package dev.muxtest.internal.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Locale;

/**
 * What the server answered while a tunnel's destination was probed: says in the log, once, when it
 * has refused for {@link ForwardReadiness#NOTICE_AFTER}, and sums the answers up for the failure.
 */
final class DestinationAnswers {

  // The readiness check's name: the one a user turns up or down for what tunnels wait for.
  private static final System.Logger LOG = System.getLogger(ForwardReadiness.class.getName());

  private final String host;
  private final int port;
  private final Duration timeout;
  private final long since = System.nanoTime();
  private String last = "";
  private boolean allRefusals = true;
  private boolean told;

  DestinationAnswers(String host, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
  }

  /** One probe's answer other than an accepted connection. */
  void refused(String why) {
    last = why;
    allRefusals &= isRefusal(why);
    if (!told && System.nanoTime() - since >= ForwardReadiness.NOTICE_AFTER.toNanos()) {
      told = true;
      LOG.log(
          Level.WARNING,
          String.format(
              "muxtest: the tunnel destination %s:%d as seen from the server %s (%s); waiting up to"
                  + " %s in case the service is still starting",
              host,
              port,
              allRefusals ? "refuses connections" : "does not accept connections",
              oneLine(why),
              timeout));
    }
  }

  /** The reason for the failure: every answer a refusal is said as such, with the last answer. */
  String summary() {
    return allRefusals && !last.isEmpty()
        ? String.format(
            "%s:%d as seen from the server refused every connection for %s (nothing listens there:"
                + " is the port right, and is the service up?): %s",
            host, port, timeout, last)
        : last;
  }

  /** "Connection refused" from sshd's channel open failure, or from bash's connect. */
  private static boolean isRefusal(String why) {
    return why.toLowerCase(Locale.ROOT).contains("refused");
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }
}

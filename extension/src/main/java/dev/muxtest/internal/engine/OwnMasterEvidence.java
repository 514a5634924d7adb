package dev.muxtest.internal.engine;

import static java.util.stream.Collectors.toSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * What shows that every session of a class rode the user's own master ({@link OwnMasterEndpoint}):
 * the master that answered at the start still answers at the end as the same process, still holding
 * the TCP connections it held and no new one to the same server (forwarded connections come and
 * go), and the server's log (where given) gained no login meanwhile.
 *
 * @param controlSocket the user's master's control socket
 * @param pidBefore the master's pid when the class began
 * @param pidAfter the pid answering on the socket now; empty if nothing answers
 * @param connectionsBefore the master's TCP connections (its own and its children's, such as a
 *     ProxyJump's) when the class began; empty if they cannot be read here (no /proc)
 * @param connectionsAfter the same, now
 * @param newLogins the server's login lines since the class began
 * @param logsLogins whether the server's log was given
 */
public record OwnMasterEvidence(
    Path controlSocket,
    long pidBefore,
    OptionalLong pidAfter,
    Optional<Set<String>> connectionsBefore,
    Optional<Set<String>> connectionsAfter,
    List<String> newLogins,
    boolean logsLogins) {

  /** Copies the lists and sets. */
  public OwnMasterEvidence {
    connectionsBefore = connectionsBefore.map(Set::copyOf);
    connectionsAfter = connectionsAfter.map(Set::copyOf);
    newLogins = List.copyOf(newLogins);
  }

  /** Why the sessions may not all have ridden the user's master; empty if they did. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (pidAfter.isEmpty()) {
      problems.add(
          "the master (pid "
              + pidBefore
              + ") no longer answers on "
              + controlSocket
              + " (ssh -O check)");
    } else if (pidAfter.getAsLong() != pidBefore) {
      problems.add(
          "another master answers on "
              + controlSocket
              + ": pid "
              + pidAfter.getAsLong()
              + " instead of "
              + pidBefore
              + ", a connection of its own");
    }
    if (connectionsBefore.isPresent() && connectionsAfter.isPresent()) {
      Set<String> before = connectionsBefore.get();
      Set<String> after = connectionsAfter.get();
      Set<String> lost = new TreeSet<>(before);
      lost.removeAll(after);
      if (!lost.isEmpty()) {
        problems.add("the master no longer holds its TCP connection(s) " + lost);
      }
      // Forwarded connections come and go (a client of a local forward, a remote forward's
      // connection to its destination); a new one to where the master's own went is a second
      // connection to the server.
      Set<String> servers = before.stream().map(OwnMasterEvidence::remote).collect(toSet());
      Set<String> second = new TreeSet<>(after);
      second.removeAll(before);
      second.removeIf(connection -> !servers.contains(remote(connection)));
      if (!second.isEmpty()) {
        problems.add("the master holds new TCP connection(s) to the server: " + second);
      }
    }
    if (!newLogins.isEmpty()) {
      problems.add(
          newLogins.size() + " new login(s) in the server's log: " + String.join(" | ", newLogins));
    }
    return problems;
  }

  /** Whether every session rode the user's master, as far as the evidence goes. */
  public boolean rodeOwnMaster() {
    return problems().isEmpty();
  }

  /** The remote end of a {@code local->remote} connection. */
  private static String remote(String connection) {
    return connection.substring(connection.indexOf("->") + 2);
  }

  /** One line for the class's report. */
  public String summary() {
    if (!rodeOwnMaster()) {
      return "NOT all sessions rode the user's own master on "
          + controlSocket
          + ": "
          + String.join("; ", problems());
    }
    return "all sessions rode the user's own master on "
        + controlSocket
        + " (pid "
        + pidBefore
        + ", still running; "
        + connectionsAfter
            .map(c -> "its TCP connections held throughout: " + connectionsBefore.get())
            .orElse("its TCP connections not readable here (no /proc)")
        + "; "
        + (logsLogins ? "no new login in the server's log" : "no server log given")
        + "); muxtest opened no connection";
  }
}

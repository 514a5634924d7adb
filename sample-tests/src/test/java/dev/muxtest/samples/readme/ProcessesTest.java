package dev.muxtest.samples.readme;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.muxtest.RemoteProcess;
import dev.muxtest.SshMaster;
import dev.muxtest.SshMultiplexing;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Long-running processes over the class's master: fed and read line by line, and followed. */
@SshMultiplexing // a master (and a plain server) for a class that declares no tunnel
@Timeout(120) // a blocking readLine() waits for the server: bound the test
class ProcessesTest {

  @Test
  void talksToProcesses(SshMaster master) throws Exception {
    // README:start
    try (RemoteProcess cat = master.start("cat")) { // one session of the class's master
      Writer in = new OutputStreamWriter(cat.stdin(), UTF_8);
      BufferedReader out = new BufferedReader(new InputStreamReader(cat.stdout(), UTF_8));
      in.write("hello\n");
      in.flush();
      assertThat(out.readLine()).isEqualTo("hello");
      in.close(); // end of file: cat ends
      assertThat(cat.waitFor(Duration.ofSeconds(30))).isZero();
    } // close() ends it (if still running) and gives its session back

    master.exec("echo ready > /tmp/app.log");
    RemoteProcess log = master.start("tail -n +1 -f /tmp/app.log"); // closed after this method
    BufferedReader lines = new BufferedReader(new InputStreamReader(log.stdout(), UTF_8));
    assertThat(lines.readLine()).isEqualTo("ready");
    master.exec("echo request served >> /tmp/app.log");
    assertThat(lines.readLine()).isEqualTo("request served");
    // README:end
  }
}

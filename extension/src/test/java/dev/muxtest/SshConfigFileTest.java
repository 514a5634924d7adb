package dev.muxtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SshHost#fromSshConfig} and {@link SshHost#fromUserSshConfig} on the keywords OpenSSH
 * decides where and how to connect with: Host patterns, first value wins, Include, %h, ProxyJump
 * chains and loops, CertificateFile, none. Pure: files in a temporary directory, nothing connects.
 */
class SshConfigFileTest {

  @TempDir static Path dir;
  static Path key;
  static Path bastionKey;
  static Path knownHosts;
  static Path bastionKnownHosts;

  @BeforeAll
  static void writeKeysAndKnownHosts() throws IOException {
    key = privateKey(dir.resolve("id_target"));
    bastionKey = privateKey(dir.resolve("id_bastion"));
    knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
    bastionKnownHosts = Files.writeString(dir.resolve("known_hosts.bastion"), "");
  }

  // --- Host patterns ---

  @ParameterizedTest(name = "Host {0} for {1}: applies {2}")
  @CsvSource({
    "172.16.*, 172.16.0.5, true",
    "172.16.*, 172.17.0.5, false",
    "172.16.*, 172.16.10.1, true",
    "db?.internal, db1.internal, true",
    "db?.internal, db12.internal, false",
    "*.internal, db.internal, true",
    "*.internal, internal, false",
    "*.INTERNAL, db.internal, false",
    "'web db', db, true",
    "'web db', dbx, false",
    "'* !bastion', bastion, false",
    "'* !bastion', db, true",
    "'!bastion', db, false",
    "'db !d*', db, false",
    "'*', anything, true"
  })
  void hostPatternsMatchAsOpenSshMatchesThem(String patterns, String alias, boolean applies)
      throws IOException {
    Path config =
        config(
            "Host " + patterns,
            "  Port 2201",
            "Host *",
            "  Port 22",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, alias).port()).isEqualTo(applies ? 2201 : 22);
  }

  @Test
  void theFirstValueWinsAcrossAllBlocksInFileOrder() throws IOException {
    Path config =
        config(
            "User everyone", // before any Host: applies to every host
            "Host *.internal",
            "  Port 2222",
            "Host db.internal",
            "  Port 5432",
            "  User postgres",
            "  HostName 10.0.0.5",
            "  HostName 10.0.0.6",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts,
            "  UserKnownHostsFile " + bastionKnownHosts);

    SshHost host = SshHost.fromSshConfig(config, "db.internal");

    assertThat(host).hasToString("everyone@10.0.0.5:2222");
    assertThat(host.knownHostsFile()).isEqualTo(knownHosts);
    assertThat(host.jumpHost()).isEmpty();
    assertThat(host.certificateFile()).isEmpty();
  }

  @Test
  void hostNameExpandsPercentHToTheAliasAndDoublePercentToPercent() throws IOException {
    Path config =
        config(
            "Host db web",
            "  HostName %h.staging.example.org",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, "web").host()).isEqualTo("web.staging.example.org");
    assertThat(SshHost.fromSshConfig(config, "db").host()).isEqualTo("db.staging.example.org");
  }

  @Test
  void anAliasNoHostLineMatchesIsRefusedEvenWithSettingsBeforeTheFirstHost() throws IOException {
    Path config =
        config(
            "IdentityFile " + key,
            "UserKnownHostsFile " + knownHosts,
            "Host db.internal",
            "  Port 2222");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "DB.internal"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ": no Host line matches \"DB.internal\"; check the spelling (it names"
                + " db.internal)");
  }

  // --- Include ---

  @Test
  void aRelativeIncludeIsTakenFromTheConfigFilesDirectory() throws IOException {
    Path repo = Files.createDirectories(dir.resolve("repo-relative"));
    Files.createDirectories(repo.resolve("ssh_config.d"));
    Files.writeString(
        repo.resolve("ssh_config.d/hosts.conf"),
        lines("Host db", "  HostName 10.0.0.7", "  IdentityFile " + key));
    Path config =
        Files.writeString(
            repo.resolve("ssh_config"),
            lines(
                "Include ssh_config.d/hosts.conf", "Host *", "  UserKnownHostsFile " + knownHosts));

    SshHost host = SshHost.fromSshConfig(config, "db");

    assertThat(host.host()).isEqualTo("10.0.0.7");
  }

  @Test
  void anAbsoluteAndAGlobIncludeReadTheFilesInSortedOrderWithTheFirstValueWinning()
      throws IOException {
    Path parts = Files.createDirectories(dir.resolve("glob-parts"));
    Files.writeString(parts.resolve("20-late.conf"), lines("Host db", "  Port 2020"));
    Files.writeString(parts.resolve("10-early.conf"), lines("Host db", "  Port 1010"));
    Files.writeString(parts.resolve(".hidden.conf"), lines("Host db", "  Port 999"));
    Files.writeString(parts.resolve("other.txt"), lines("Host db", "  Port 888"));
    Path absolute =
        Files.writeString(
            dir.resolve("absolute.conf"),
            lines("Host db", "  IdentityFile " + key, "  UserKnownHostsFile " + knownHosts));
    Path config = config("Include " + absolute + " " + parts + "/*.conf");

    assertThat(SshHost.fromSshConfig(config, "db").port()).isEqualTo(1010);
  }

  @Test
  void anIncludeThatNamesNoFileIsSkippedAsOpenSshSkipsIt() throws IOException {
    Path config =
        config(
            "Include no-such-file.conf " + dir + "/no-such-dir/*.conf",
            "Host db",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, "db").host()).isEqualTo("db");
  }

  @Test
  void anIncludeInsideAHostBlockAppliesWithinItAndItsHostLinesEndWithIt() throws IOException {
    Path included =
        Files.writeString(
            dir.resolve("inside-block.conf"),
            lines("Port 2222", "Host web", "  User from-include"));
    Path config =
        config(
            "Host db",
            "  Include " + included,
            "  User dbuser", // still db's block after the Include
            "Host *",
            "  User nobody",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, "db")).hasToString("dbuser@db:2222");
    // For web the Include stands in a block that does not apply: none of its Host lines match.
    assertThat(SshHost.fromSshConfig(config, "web")).hasToString("nobody@web:22");
  }

  @Test
  void aFileThatIncludesItselfStopsAtOpenSshsSixteenLevels() throws IOException {
    Path self = dir.resolve("self.conf");
    Files.writeString(self, lines("Include " + self, "Host db", "  Port 1"));

    assertThatThrownBy(() -> SshHost.fromSshConfig(self, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + self
                + " line 1, Include: more than 16 levels of Include (OpenSSH's limit); does a"
                + " file include itself?");
  }

  @Test
  void sixteenLevelsOfIncludeAreRead() throws IOException {
    Path last =
        Files.writeString(
            dir.resolve("level16.conf"),
            lines("Host db", "  IdentityFile " + key, "  UserKnownHostsFile " + knownHosts));
    for (int level = 15; level >= 1; level--) {
      last = Files.writeString(dir.resolve("level" + level + ".conf"), lines("Include " + last));
    }
    Path config = config("Include " + last);

    assertThat(SshHost.fromSshConfig(config, "db").identityFile()).isEqualTo(key);
  }

  @Test
  void anIncludedFileOthersCanWriteIsRefusedAsOpenSshRefusesIt() throws IOException {
    Path included = Files.writeString(dir.resolve("group-writable.conf"), lines("Host db"));
    Files.setPosixFilePermissions(included, PosixFilePermissions.fromString("rw-rw-r--"));
    Path config = config("Include " + included);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ssh config " + included + ": bad owner or permissions (owner ")
        .hasMessageEndingWith(
            ", writable by group or others); OpenSSH refuses such a file, and so does muxtest:"
                + " chmod go-w "
                + included);
  }

  @Test
  void includeWithTokensOrEnvironmentVariablesIsRefused() throws IOException {
    Path config = config("Host db", "  Include ${HOME}/x.conf");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 2, Include: \"${HOME}/x.conf\": muxtest does not expand % tokens or"
                + " ${...} environment variables in Include; write the path out");
  }

  // --- Match and other keywords ---

  @Test
  void matchInAnIncludedFileIsRefusedNamingThatFileAndLine() throws IOException {
    Path included =
        Files.writeString(
            dir.resolve("match.conf"), lines("# team hosts", "Match exec \"touch /tmp/x\""));
    Path config = config("Host db", "  IdentityFile " + key, "Include " + included);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + included
                + " line 2, Match: not supported by muxtest: a Match block can run a command"
                + " (exec) and depends on what only the connecting ssh knows; give the host's"
                + " settings in a Host block");
  }

  @Test
  void aProxyCommandIsRefusedWhereItAppliesAndIgnoredInAnotherHostsBlock() throws IOException {
    Path config =
        config(
            "Host github.com",
            "  ProxyCommand nc -X connect -x proxy:3128 %h %p",
            "Host db web",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts,
            "Host web",
            "  HostKeyAlias other");

    assertThat(SshHost.fromSshConfig(config, "db").host()).isEqualTo("db");
    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "web"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "ssh config " + config + " line 7, HostKeyAlias: not supported by muxtest");
  }

  // --- ProxyJump ---

  /** A bastion and an internal network, the way a team writes it. */
  private static Path stagingConfig(String... extra) throws IOException {
    List<String> lines = new ArrayList<>(List.of(extra));
    lines.addAll(
        List.of(
            "Host bastion",
            "  HostName bastion.example.org",
            "  User jump",
            "  Port 2200",
            "  IdentityFile " + bastionKey,
            "  UserKnownHostsFile " + bastionKnownHosts,
            "Host *.internal 172.16.*",
            "  ProxyJump bastion",
            "  User app",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts));
    return config(lines.toArray(String[]::new));
  }

  @Test
  void aProxyJumpAliasIsResolvedWithItsOwnValues() throws IOException {
    Path config = stagingConfig();

    SshHost db = SshHost.fromSshConfig(config, "db.internal");

    assertThat(db).hasToString("app@db.internal:22");
    assertThat(db.identityFile()).isEqualTo(key);
    SshHost bastion = db.jumpHost().orElseThrow();
    assertThat(bastion).hasToString("jump@bastion.example.org:2200");
    assertThat(bastion.identityFile()).isEqualTo(bastionKey);
    assertThat(bastion.knownHostsFile()).isEqualTo(bastionKnownHosts);
    assertThat(bastion.jumpHost()).isEmpty();
    assertThat(SshHost.fromSshConfig(config, "172.16.0.5").jumpHost().orElseThrow())
        .hasToString("jump@bastion.example.org:2200");
  }

  @Test
  void aUserAndPortGivenWithTheHopWinOverItsBlock() throws IOException {
    Path config = stagingConfig("Host web.internal", "  ProxyJump ops@bastion:2022", "  Port 8022");

    SshHost web = SshHost.fromSshConfig(config, "web.internal");

    assertThat(web).hasToString("app@web.internal:8022");
    assertThat(web.jumpHost().orElseThrow()).hasToString("ops@bastion.example.org:2022");
    assertThat(web.jumpHost().orElseThrow().identityFile()).isEqualTo(bastionKey);
  }

  @Test
  void aCommaSeparatedChainReachesTheLastHopThroughTheOnesBefore() throws IOException {
    Path config =
        stagingConfig(
            "Host deep.internal",
            "  ProxyJump outer,inner",
            "Host inner",
            "  ProxyJump ignored-because-the-chain-gives-the-hop-before",
            "Host outer inner",
            "  IdentityFile " + bastionKey,
            "  UserKnownHostsFile " + bastionKnownHosts,
            "Host outer",
            "  ProxyJump bastion");

    SshHost deep = SshHost.fromSshConfig(config, "deep.internal");

    List<String> chain = new ArrayList<>();
    for (SshHost hop = deep; hop != null; hop = hop.jumpHost().orElse(null)) {
      chain.add(hop.host());
    }
    // deep through inner, inner through outer (the chain), outer through bastion (its own).
    assertThat(chain).containsExactly("deep.internal", "inner", "outer", "bastion.example.org");
  }

  @ParameterizedTest(name = "ProxyJump {0}")
  @CsvSource({
    "ssh://ops@bastion:2022, ops@bastion.example.org:2022",
    "[::1]:2022, tester@::1:2022",
    "ops@[::1], ops@::1:22"
  })
  void uriAndBracketedFormsAreRead(String jump, String expected) throws IOException {
    Path config =
        config(
            "Host db",
            "  ProxyJump " + jump,
            "Host bastion",
            "  HostName bastion.example.org",
            "Host *",
            "  User tester",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    SshHost hop = SshHost.fromSshConfig(config, "db").jumpHost().orElseThrow();

    assertThat(hop.user() + "@" + hop.host() + ":" + hop.port()).isEqualTo(expected);
  }

  @Test
  void proxyJumpNoneOrProxyCommandNoneFirstMeansDirect() throws IOException {
    Path config =
        stagingConfig(
            "Host direct.internal",
            "  ProxyJump none",
            "Host also.internal",
            "  ProxyCommand none");

    assertThat(SshHost.fromSshConfig(config, "direct.internal").jumpHost()).isEmpty();
    assertThat(SshHost.fromSshConfig(config, "also.internal").jumpHost()).isEmpty();
  }

  @Test
  void aJumpHostCaughtByItsOwnPatternIsALoopNamedWithItsLine() throws IOException {
    Path config =
        config(
            "Host *",
            "  ProxyJump bastion",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 2, ProxyJump: a loop: bastion -> bastion (each reached through the"
                + " next); a host cannot be reached through itself: leave the jump host out of"
                + " the pattern (Host * !bastion)");
  }

  @Test
  void aLoopThroughTwoHostsIsNamed() throws IOException {
    Path config =
        config(
            "Host a",
            "  ProxyJump b",
            "Host b",
            "  ProxyJump a",
            "Host *",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "a"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(" line 4, ProxyJump: a loop: a -> b -> a ");
  }

  @ParameterizedTest(name = "ProxyJump {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bastion,,db | an empty hop (two commas in a row, or one at either end)",
        "bastion:99999 | the hop \"bastion:99999\" has a port that is not a port number (1 to"
            + " 65535)",
        "@bastion | the hop \"@bastion\" has an empty user",
        "[::1 | the hop \"[::1\" has '[' without ']'",
        "'a, b' | one value expected (hops are separated by commas, without spaces) but 2 given"
      })
  void aMalformedProxyJumpIsRefusedNamingTheLine(String jump, String why) throws IOException {
    Path config =
        config(
            "Host db",
            "  ProxyJump " + jump,
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ssh config " + config + " line 2, ProxyJump: " + why);
  }

  @Test
  void aHopNoHostLineMatchesIsNamedWithTheProxyJumpLine() throws IOException {
    Path config = stagingConfig("Host db.internal", "  ProxyJump bastoin");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db.internal"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ": no Host line matches \"bastoin\", named by ProxyJump on line 2 of "
                + config
                + "; check the spelling (it names db.internal, bastion)");
  }

  @Test
  void aHopsBadUserIsRefusedAsForTheTarget() throws IOException {
    Path config = stagingConfig("Host db.internal", "  ProxyJump te%ster@bastion");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db.internal"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "ssh config "
                + config
                + " line 2, ProxyJump: the user \"te%ster\" cannot be used: it contains '%'");
  }

  // --- CertificateFile, none ---

  @Test
  void aCertificateFileIsKeptAndAMissingOneNamed() throws IOException {
    Path certificate = Files.writeString(dir.resolve("id_target-cert.pub"), "cert\n");
    Path config =
        config(
            "Host db",
            "  CertificateFile " + dir.resolve("no-such-cert.pub"),
            "  CertificateFile " + certificate,
            "Host web",
            "  CertificateFile " + dir.resolve("no-such-cert.pub"),
            "Host *",
            "  IdentityFile " + key,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, "db").certificateFile()).contains(certificate);
    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "web"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 5, CertificateFile: the certificate file \""
                + dir.resolve("no-such-cert.pub")
                + "\" cannot be read");
  }

  @Test
  void knownHostsNoneIsRefusedForMuxtestNeedsTheKey() throws IOException {
    Path config = config("Host db", "  UserKnownHostsFile none", "  IdentityFile " + key);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 2, UserKnownHostsFile: none: muxtest needs the host's key in a"
                + " known_hosts file (it reads no default known_hosts)");
  }

  @Test
  void severalIdentityFilesNoneOfWhichExistsAreNamed() throws IOException {
    Path config =
        config(
            "Host db",
            "  IdentityFile /no/such/key1",
            "  IdentityFile /no/such/key2",
            "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "db"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 2, IdentityFile: none of the 2 IdentityFile files exists:"
                + " \"/no/such/key1\" (line 2 of "
                + config
                + "), \"/no/such/key2\" (line 3 of "
                + config
                + ")");
  }

  // --- the user's own config ---

  /** A fake home: user.home set for the test and restored. */
  @Nested
  class UserConfig {

    @Test
    void fromUserSshConfigReadsHomeSshConfigWithRelativeIncludesFromHomeSsh() throws Exception {
      Path home = Files.createDirectories(dir.resolve("home-ok"));
      Path ssh = Files.createDirectories(home.resolve(".ssh"));
      Files.createDirectories(ssh.resolve("config.d"));
      Files.writeString(ssh.resolve("config.d/staging"), lines("Host db", "  Port 2345"));
      Files.writeString(
          ssh.resolve("config"),
          lines(
              "Include config.d/*",
              "Host db",
              "  IdentityFile ~/id_home",
              "  UserKnownHostsFile ~/.ssh/known_hosts"));
      Files.copy(key, home.resolve("id_home"));
      Files.writeString(ssh.resolve("known_hosts"), "");

      SshHost db = withHome(home, () -> SshHost.fromUserSshConfig("db"));

      assertThat(db.port()).isEqualTo(2345);
      assertThat(db.identityFile()).isEqualTo(home.resolve("id_home"));
      assertThat(db.knownHostsFile()).isEqualTo(ssh.resolve("known_hosts"));
    }

    @Test
    void aUserConfigOthersCanWriteIsRefused() throws Exception {
      Path home = Files.createDirectories(dir.resolve("home-writable"));
      Path config =
          Files.writeString(
              Files.createDirectories(home.resolve(".ssh")).resolve("config"), lines("Host db"));
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--rw-"));

      assertThatThrownBy(() -> withHome(home, () -> SshHost.fromUserSshConfig("db")))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("ssh config " + config + ": bad owner or permissions");
    }

    @Test
    void aMissingUserConfigIsNamed() throws Exception {
      Path home = Files.createDirectories(dir.resolve("home-empty"));

      assertThatThrownBy(() -> withHome(home, () -> SshHost.fromUserSshConfig("db")))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot read ssh config " + home.resolve(".ssh/config") + ": no such file");
      assertThatThrownBy(() -> SshHost.fromUserSshConfig(" "))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "SshHost.fromUserSshConfig: the alias must not be null or blank but was \" \"");
    }
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T withHome(Path home, Call<T> call) throws Exception {
    String before = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
    try {
      return call.call();
    } finally {
      System.setProperty("user.home", before);
    }
  }

  private static Path privateKey(Path file) throws IOException {
    Files.write(file, KeyMaterial.openSshPrivateKey(KeyMaterial.generate(), "ssh config test key"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static String lines(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  /**
   * OpenSSH ends a line at \n only: a lone \r (invisible with cat) would hide a second setting that
   * muxtest, splitting there too, would follow and ssh would not (security-review-2, R3-13).
   */
  @Test
  void aLoneCarriageReturnInsideALineIsRefusedNamingTheLine() throws IOException {
    Path config =
        Files.writeString(
            Files.createTempFile(dir, "config", ""),
            "Host outside\n  User tester\rHostName evil.example\n  IdentityFile "
                + key
                + "\n  UserKnownHostsFile "
                + knownHosts
                + "\n");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "ssh config "
                + config
                + " line 2: a carriage return (\\r) inside the line \"User tester\\rHostName"
                + " evil.example\"");
  }

  /** Windows line ends and a Latin-1 comment are read, as OpenSSH reads them. */
  @Test
  void crlfLineEndsAndBytesThatAreNotUtf8InACommentAreRead() throws IOException {
    byte[] comment = "# caf\u00e9 (Latin-1)\r\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] rest =
        lines(
                "Host outside\r",
                "  HostName 192.0.2.7\r",
                "  IdentityFile " + key + "\r",
                "  UserKnownHostsFile " + knownHosts + "\r")
            .getBytes(StandardCharsets.UTF_8);
    Path config = Files.createTempFile(dir, "config", "");
    Files.write(config, comment);
    Files.write(config, rest, StandardOpenOption.APPEND);

    SshHost host = SshHost.fromSshConfig(config, "outside");

    assertThat(host.host()).isEqualTo("192.0.2.7");
    assertThat(host.identityFile()).isEqualTo(key);
  }

  /**
   * A chain of jump hosts deeper than muxtest's limit is a clear refusal, not a StackOverflowError
   * after seconds of re-reading the file (security-review-2, R3-14); 32 hops are still read.
   */
  @Test
  void aProxyJumpChainLongerThanThirtyTwoHopsIsRefused() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.addAll(List.of("Host h" + i, "  ProxyJump h" + (i + 1)));
    }
    lines.addAll(List.of("Host *", "  IdentityFile " + key, "  UserKnownHostsFile " + knownHosts));
    Path config = config(lines.toArray(String[]::new));

    SshHost deepest = SshHost.fromSshConfig(config, "h8");
    int hops = 0;
    for (SshHost hop = deepest; hop.jumpHost().isPresent(); hop = hop.jumpHost().get()) {
      hops++;
    }
    assertThat(hops).isEqualTo(32);
    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "h0"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 66, ProxyJump: more than 32 jump hosts in front of \"h0\" (muxtest's"
                + " limit); is the chain generated by mistake?");
  }

  private static Path config(String... lines) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "config", ""), lines(lines));
  }
}

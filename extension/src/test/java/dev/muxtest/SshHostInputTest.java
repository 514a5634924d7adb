package dev.muxtest;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.muxtest.internal.engine.KeyMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input to {@link SshHost}: hosts, users and paths that would reach the OpenSSH engine's
 * generated config as something else, key files OpenSSH would ignore or cannot use, and ssh config
 * files muxtest would misread. Each is refused by {@code SshHost.of} or {@code
 * SshHost.fromSshConfig} themselves, before any engine starts, naming the value; values that are
 * fine still work, on both engines ({@link AgainstAServer}).
 */
class SshHostInputTest {

  @TempDir static Path dir;
  static Path identity;
  static Path knownHosts;

  @BeforeAll
  static void writeAKeyAndAKnownHostsFile() throws IOException {
    identity = privateKey(dir.resolve("id_ecdsa"), KeyMaterial.generate());
    knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
  }

  // --- SshHost.of: host and user (finding 2) ---

  static Stream<Arguments> badHosts() {
    return withEngines(
        "127.0.0.1\n  ProxyCommand touch MARKER",
        "localhost\r\n  ProxyCommand touch MARKER",
        "-oProxyCommand=touch MARKER",
        "local host",
        "localhost\t",
        "host%h",
        "\"localhost\"",
        "'localhost'",
        "host#comment",
        "::1%eth0",
        " ",
        "");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badHosts")
  void aHostThatIsNotAHostNameOrAnIpAddressIsRefusedBeforeAnythingStarts(Engine engine, String host)
      throws IOException {
    Path marker = dir.resolve("marker-host-" + engine + "-" + host.hashCode());
    String given = host.replace("MARKER", marker.toString());

    Throwable refused =
        catchFromConnect(() -> SshHost.of(given, 22, "tester", identity, knownHosts), engine);

    assertThat(marker).as("marker of an injected ProxyCommand").doesNotExist();
    assertThat(refused)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            given.isBlank()
                ? "SshHost: the host must not be null or blank but was \"" + given + "\""
                : "SshHost: the host \""
                    + escaped(given)
                    + "\" is not a host name or an IP address: ");
    assertThat(refused.getMessage()).doesNotContain("\n", "\r", "\t");
    assertThrownBySshHostItself(refused);
  }

  static Stream<Arguments> badUsers() {
    return withEngines(
        "tester\n  ProxyCommand touch MARKER",
        "tester\u0000",
        "te ster",
        "tester\t",
        "te%ster",
        "te\"ster",
        "te'ster",
        "te\\ster",
        "te#ster",
        "${USER}",
        "\u00a0",
        "");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badUsers")
  void aUserNameOpenSshWouldSplitExpandOrCutIsRefusedBeforeAnythingStarts(
      Engine engine, String user) throws IOException {
    Path marker = dir.resolve("marker-user-" + engine + "-" + user.hashCode());
    String given = user.replace("MARKER", marker.toString());

    Throwable refused =
        catchFromConnect(() -> SshHost.of("127.0.0.1", 22, given, identity, knownHosts), engine);

    assertThat(marker).as("marker of an injected ProxyCommand").doesNotExist();
    assertThat(refused)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            given.isEmpty()
                ? "SshHost: the user must not be null or blank but was \"\""
                : "SshHost: the user \"" + escaped(given) + "\" cannot be used: it contains ");
    assertThat(refused.getMessage()).doesNotContain("\n", "\r", "\t", "\u0000");
    assertThrownBySshHostItself(refused);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a..b=it has an empty label",
        ".example.org=it has an empty label",
        "-leading.example.org=it starts with '-'",
        "trailing-.example.org=its label \"trailing-\" starts or ends with '-'",
        "999.1.1.1=it is not a valid IPv4 address",
        "1.2.3=it is not a valid IPv4 address",
        "[::1=it is not a valid IPv6 address",
        "[localhost]=it is not a valid IPv6 address",
        "1:2:3:4:5:6:7:8:9=it is not a valid IPv6 address",
        "fe80:::1=it is not a valid IPv6 address",
        "1.2.3.4::=it is not a valid IPv6 address",
        "h\u00f6st.example=it contains '\u00f6'"
      })
  void aMalformedHostNameOrAddressIsRefused(String hostAndWhy) {
    String host = hostAndWhy.substring(0, hostAndWhy.indexOf('='));
    String why = hostAndWhy.substring(hostAndWhy.indexOf('=') + 1);

    assertThatThrownBy(() -> SshHost.of(host, 22, "tester", identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SshHost: the host \"" + host + "\" is not a host name or an IP address: " + why);
  }

  @Test
  void aHostNameOrLabelTooLongIsRefused() {
    String label = "a".repeat(64);
    String name = ("a".repeat(62) + ".").repeat(4) + "ab";

    assertThatThrownBy(() -> SshHost.of(label + ".example", 22, "tester", identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("its label \"" + label + "\" is longer than 63 characters");
    assertThatThrownBy(() -> SshHost.of(name, 22, "tester", identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("it is longer than 253 characters");
    String longest = ("a".repeat(62) + ".").repeat(4) + "a";
    assertThat(SshHost.of(longest, 22, "tester", identity, knownHosts).host()).isEqualTo(longest);
  }

  @Test
  void aNewlineInTheHostIsShownEscapedInTheMessage() {
    assertThatThrownBy(
            () -> SshHost.of("127.0.0.1\nProxyCommand x", 22, "tester", identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SshHost: the host \"127.0.0.1\\nProxyCommand x\" is not a host name or an IP"
                + " address: it contains '\\n'");
  }

  @Test
  void nullHostOrUserIsAnIllegalArgumentNotANullPointer() {
    assertThatThrownBy(() -> SshHost.of(null, 22, "tester", identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost: the host must not be null or blank but was null");
    assertThatThrownBy(() -> SshHost.of("localhost", 22, null, identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost: the user must not be null or blank but was null");
    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", null, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost: the identity file is null");
    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", identity, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost: the known_hosts file is null");
    SshHost host = SshHost.of("localhost", 22, "tester", identity, knownHosts);
    assertThatThrownBy(() -> host.withLoginLog(null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost.withLoginLog: the log supplier is null");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 65536})
  void aPortOutOfRangeIsRefused(int port) {
    assertThatThrownBy(() -> SshHost.of("localhost", port, "tester", identity, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost: port must be between 1 and 65535 but was " + port);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost=localhost",
        "staging.example.org=staging.example.org",
        "STAGING.Example.org.=STAGING.Example.org.",
        "_srv.my_host.example.org=_srv.my_host.example.org",
        "xn--bcher-kva.example=xn--bcher-kva.example",
        "127.0.0.1=127.0.0.1",
        "192.0.2.255=192.0.2.255",
        "::1=::1",
        "[::1]=::1",
        "2001:db8::17=2001:db8::17",
        "[fe80::1:2]=fe80::1:2",
        "::=::",
        "1:2:3:4:5:6:7:8=1:2:3:4:5:6:7:8",
        "::ffff:192.0.2.1=::ffff:192.0.2.1"
      })
  void hostNamesAndIpAddressesAreAccepted(String givenAndKept) {
    String[] parts = givenAndKept.split("=");

    SshHost host = SshHost.of(parts[0], 22, "tester", identity, knownHosts);

    assertThat(host.host()).isEqualTo(parts[1]);
    assertThat(host.toString())
        .isEqualTo("tester@" + (parts[1].contains(":") ? "[" + parts[1] + "]" : parts[1]) + ":22");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tester", "ci-bot", "first.last", "svc$", "a@b", "Zoë"})
  void ordinaryUserNamesAreAccepted(String user) {
    assertThat(SshHost.of("localhost", 22, user, identity, knownHosts).user()).isEqualTo(user);
  }

  // --- SshHost.of: paths (finding 11) ---

  static Stream<Arguments> badDirectories() {
    return Stream.of(
        Arguments.of(
            "with%dtoken",
            "OpenSSH would expand '%' in its path as a token (%d is the home directory, ...)"),
        Arguments.of(
            "with${HOME}var", "OpenSSH would expand \"${\" in its path as an environment variable"),
        Arguments.of(
            "with\"quote", "its path contains '\"', which OpenSSH's config reads as a quote"),
        Arguments.of(
            "with\\\\two backslashes",
            "its path contains '\\' before '\\', a quote or its end, which OpenSSH's config reads"
                + " as an escape"),
        Arguments.of(
            "with\\'quote",
            "its path contains '\\' before '\\', a quote or its end, which OpenSSH's config reads"
                + " as an escape"),
        Arguments.of("with\nnewline", "its path contains the control character '\\n'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDirectories")
  void pathsOpenSshWouldExpandOrCannotQuoteAreRefused(String directory, String why)
      throws IOException {
    Path bad = Files.createDirectories(dir.resolve("paths").resolve(directory));
    Path key = privateKey(bad.resolve("id_ecdsa"), KeyMaterial.generate());
    Path hosts = Files.writeString(bad.resolve("known_hosts"), "");

    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", key, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SshHost: the identity file \""
                + escaped(key.toString())
                + "\" cannot be used: "
                + why);
    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", identity, hosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SshHost: the known_hosts file \""
                + escaped(hosts.toString())
                + "\" cannot be used: "
                + why);
  }

  @Test
  void pathsWithSpacesAndQuotesOfTheOtherKindAreFineAndMadeAbsolute() throws IOException {
    Path spaced =
        Files.createDirectories(dir.resolve("a dir with spaces, 'single quotes' and a \\b"));
    Path key = privateKey(spaced.resolve("id ecdsa"), KeyMaterial.generate());
    Path hosts = Files.writeString(spaced.resolve("known hosts"), "");

    SshHost host = SshHost.of("localhost", 22, "tester", key, hosts);

    assertThat(host.identityFile()).isEqualTo(key);
    assertThat(host.knownHostsFile()).isEqualTo(hosts);
    Path relative = Path.of("").toAbsolutePath().relativize(key);
    Path made = SshHost.of("localhost", 22, "tester", relative, hosts).identityFile();
    assertThat(made).isAbsolute();
    assertThat(Files.isSameFile(made, key)).isTrue();
  }

  @Test
  void missingFilesAndDirectoriesCannotBeRead() {
    Path missing = dir.resolve("no-such-file");
    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", missing, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost: the identity file \"" + missing + "\" cannot be read");
    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", identity, dir))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SshHost: the known_hosts file \"" + dir + "\" cannot be read: it is a directory");
  }

  // --- SshHost.of: the identity file (case 24) ---

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rwx--x--x"})
  void aKeyFileOpenToGroupOrOthersIsRefusedAsOpenSshWould(String mode) throws IOException {
    Path key = privateKey(dir.resolve("id_open_" + mode), KeyMaterial.generate());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
    int octal = Integer.parseInt(String.valueOf(modeDigits(mode)), 8);

    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", key, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            String.format(
                "SshHost: the identity file \"%s\" has mode %04o, open to group or others;"
                    + " OpenSSH ignores such a key, so muxtest refuses it on both engines:"
                    + " chmod 600 %s",
                key, octal, key));
  }

  @Test
  void aKeyFileReadableByItsOwnerOnlyIsAccepted() throws IOException {
    Path key = privateKey(dir.resolve("id_0400"), KeyMaterial.generate());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));

    assertThat(SshHost.of("localhost", 22, "tester", key, knownHosts).identityFile())
        .isEqualTo(key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RFC4716", "PEM"})
  void aPassphraseProtectedKeyIsRefused(String format) throws Exception {
    Path key = sshKeygen(dir.resolve("id_passphrase_" + format), "a passphrase", format);

    assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", key, knownHosts))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(passphraseRefusal(key));
  }

  @Test
  void aFileThatHoldsNoPrivateKeyIsRefused() throws Exception {
    Path garbage = privateKey(dir.resolve("not_a_key"), null);
    Path publicKey =
        sshKeygen(dir.resolve("id_for_pub"), "", "RFC4716").resolveSibling("id_for_pub.pub");
    Files.setPosixFilePermissions(publicKey, PosixFilePermissions.fromString("rw-------"));

    for (Path file : List.of(garbage, publicKey)) {
      assertThatThrownBy(() -> SshHost.of("localhost", 22, "tester", file, knownHosts))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "SshHost: the identity file "
                  + file
                  + " holds no private key (an unencrypted OpenSSH or PEM private key is needed)");
    }
  }

  // --- SshHost.fromSshConfig (finding 12) ---

  @Test
  void aConfigReadAsOpenSshReadsIt() throws IOException {
    Path config =
        config(
            "# settings before any Host apply to every host",
            "ServerAliveInterval 5",
            "Host * !outside",
            "  Port 1",
            "host=other outside",
            "  HOSTNAME = 192.0.2.7 # where it is",
            "  port\t\"2222\"",
            "  User=ci-bot",
            "  IdentityFile \"" + identity + "\"",
            "  userknownhostsfile '" + knownHosts + "'",
            "  Port 3333",
            "Host *",
            "  User nobody",
            "  Port 4444",
            "");

    SshHost host = SshHost.fromSshConfig(config, "outside");

    assertThat(host).hasToString("ci-bot@192.0.2.7:2222");
    assertThat(host.identityFile()).isEqualTo(identity);
    assertThat(host.knownHostsFile()).isEqualTo(knownHosts);
  }

  @Test
  void aWildcardBlockBeforeTheHostsOwnGivesTheFirstValue() throws IOException {
    Path config =
        config(
            "Host *",
            "  Port 2200",
            "  UserKnownHostsFile " + knownHosts,
            "Host outside",
            "  Port 22",
            "  User tester",
            "  IdentityFile " + identity);

    SshHost host = SshHost.fromSshConfig(config, "outside");

    assertThat(host).hasToString("tester@outside:2200");
  }

  @Test
  void aQuotedPathWithSpacesIsOnePath() throws IOException {
    Path spaced = Files.createDirectories(dir.resolve("dir with space"));
    Path hosts = Files.writeString(spaced.resolve("kh"), "");
    Path config =
        config(
            "Host outside",
            "  HostName localhost",
            "  IdentityFile " + identity,
            "  UserKnownHostsFile \"" + hosts + "\"");

    assertThat(SshHost.fromSshConfig(config, "outside").knownHostsFile()).isEqualTo(hosts);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("Port abc", "Port: \"abc\" is not a port number (1 to 65535)"),
        Arguments.of("Port 70000", "Port: \"70000\" is not a port number (1 to 65535)"),
        Arguments.of("Port 0", "Port: \"0\" is not a port number (1 to 65535)"),
        Arguments.of("Port -22", "Port: \"-22\" is not a port number (1 to 65535)"),
        Arguments.of("Port", "Port: no value given"),
        Arguments.of("HostName a b", "HostName: one value expected but 2 given: \"a\", \"b\""),
        Arguments.of(
            "HostName %d.example.org",
            "HostName: \"%d.example.org\" has the token %d; OpenSSH expands only %h and %% in"
                + " HostName"),
        Arguments.of(
            "HostName %%h.example.org",
            "HostName: the host \"%h.example.org\" is not a host name or an IP address:"
                + " it contains '%'"),
        Arguments.of(
            "HostName \"local host\"",
            "HostName: the host \"local host\" is not a host name or an IP address:"
                + " it contains ' '"),
        Arguments.of("HostName \"localhost", "HostName: a quote is not closed"),
        Arguments.of("HostName \"\"", "HostName: an empty value given"),
        Arguments.of(
            "User \"ci bot\"",
            "User: the user \"ci bot\" cannot be used: it contains ' ' (OpenSSH's config would"
                + " split, expand or cut the name at whitespace, control characters, %, quotes,"
                + " \\ or #)"),
        Arguments.of(
            "UserKnownHostsFile /etc/ssh/kh1 /etc/ssh/kh2",
            "UserKnownHostsFile: 2 files given (\"/etc/ssh/kh1\", \"/etc/ssh/kh2\"); muxtest"
                + " takes exactly one known_hosts file, the one holding this host's key"),
        Arguments.of(
            "UserKnownHostsFile /no/such/known_hosts",
            "UserKnownHostsFile: the known_hosts file \"/no/such/known_hosts\" cannot be read"),
        Arguments.of(
            "UserKnownHostsFile %d/.ssh/known_hosts",
            "UserKnownHostsFile: the known_hosts file \""
                + Path.of("%d/.ssh/known_hosts").toAbsolutePath()
                + "\" cannot be used: OpenSSH would expand '%' in its path as a token (%d is the"
                + " home directory, ...)"),
        Arguments.of(
            "UserKnownHostsFile ~nobody-else/.ssh/known_hosts",
            "UserKnownHostsFile: \"~nobody-else/.ssh/known_hosts\" is in the home directory of"
                + " \"nobody-else\", which muxtest does not look up; write the path out"),
        Arguments.of(
            "IdentityFile /no/such/key",
            "IdentityFile: the identity file \"/no/such/key\" cannot be read"),
        Arguments.of(
            "IdentityFile ~/muxtest-no-such-key-0c1d",
            "IdentityFile: the identity file \""
                + Path.of(System.getProperty("user.home"), "muxtest-no-such-key-0c1d")
                + "\" cannot be read"),
        Arguments.of(
            "IdentityFile ~" + System.getProperty("user.name") + "/muxtest-no-such-key-0c1d",
            "IdentityFile: the identity file \""
                + Path.of(System.getProperty("user.home"), "muxtest-no-such-key-0c1d")
                + "\" cannot be read"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void aBadValueIsRefusedNamingFileLineAndKeyword(String line, String expected) throws IOException {
    // The bad line comes first in the block: OpenSSH takes the first value of a keyword.
    Path config =
        config(
            "Host other",
            "  HostName 192.0.2.1",
            "Host outside",
            "  " + line,
            "  HostName localhost",
            "  User tester",
            // IdentityFile lines add up: the bad one is then the only one.
            line.startsWith("IdentityFile") ? "" : "  IdentityFile " + identity,
            "  UserKnownHostsFile " + knownHosts,
            "");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ssh config " + config + " line 4, " + expected);
  }

  @Test
  void ofSeveralIdentityFilesTheFirstThatExistsIsTaken() throws IOException {
    Path config =
        config(
            "Host outside",
            "  HostName localhost",
            "  IdentityFile ~/.ssh/muxtest-no-such-key-7f3a",
            "  IdentityFile " + identity,
            "  UserKnownHostsFile " + knownHosts,
            "Host *",
            "  IdentityFile ~/.ssh/id_ed25519");

    assertThat(SshHost.fromSshConfig(config, "outside").identityFile()).isEqualTo(identity);
  }

  @Test
  void aMisspelledAliasIsRefusedNamingIt() throws IOException {
    Path config =
        config(
            "Host other",
            "  HostName 192.0.2.1",
            "Host outside staging",
            "  HostName localhost",
            "  IdentityFile " + identity,
            "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outsdie"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ": no Host line matches \"outsdie\"; check the spelling (it names other, outside,"
                + " staging)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "out*", "outsid?", "* !other"})
  void anAliasMatchedOnlyByWildcardsTakesTheirValues(String patterns) throws IOException {
    Path config =
        config(
            "Host outside",
            "  HostName localhost",
            "Host " + patterns,
            "  User tester",
            "  IdentityFile " + identity,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, "outsidf")).hasToString("tester@outsidf:22");
  }

  @Test
  void aNegatedPatternSkipsTheBlockEvenWhenTheAliasIsNamed() throws IOException {
    Path config =
        config(
            "Host outside !outside",
            "  HostName localhost",
            "  IdentityFile " + identity,
            "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ": no Host line matches \"outside\"; check the spelling (it names outside)");
  }

  @Test
  void withoutHostNameTheAliasIsTheHostAndMustBeOne() throws IOException {
    Path config =
        config(
            "Host localhost bad_alias-",
            "  IdentityFile " + identity,
            "  UserKnownHostsFile " + knownHosts);

    assertThat(SshHost.fromSshConfig(config, "localhost").host()).isEqualTo("localhost");
    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "bad_alias-"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ", Host bad_alias-: no HostName, and the alias is not a host name itself: the"
                + " host \"bad_alias-\" is not a host name or an IP address: its label"
                + " \"bad_alias-\" starts or ends with '-'");
  }

  @Test
  void aMissingIdentityFileIsNamed() throws IOException {
    Path config = config("Host outside", "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + ", Host outside: IdentityFile is missing (muxtest reads no default keys)");
  }

  @Test
  void aKeyFileOpenToOthersInAConfigIsRefusedNamingTheLine() throws IOException {
    Path key = privateKey(dir.resolve("id_config_0644"), KeyMaterial.generate());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Path config =
        config("Host outside", "  IdentityFile " + key, "  UserKnownHostsFile " + knownHosts);

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ssh config "
                + config
                + " line 2, IdentityFile: the identity file \""
                + key
                + "\" has mode 0644, open to group or others; OpenSSH ignores such a key, so"
                + " muxtest refuses it on both engines: chmod 600 "
                + key);
  }

  @Test
  void aNullOrBlankAliasOrANullFileIsAnIllegalArgument() throws IOException {
    Path config = config("Host outside", "  HostName localhost");

    assertThatThrownBy(() -> SshHost.fromSshConfig(config, null))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost.fromSshConfig: the alias must not be null or blank but was null");
    assertThatThrownBy(() -> SshHost.fromSshConfig(config, " \n"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost.fromSshConfig: the alias must not be null or blank but was \" \\n\"");
    assertThatThrownBy(() -> SshHost.fromSshConfig(null, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SshHost.fromSshConfig: the config file is null");
  }

  @Test
  void aConfigFileThatCannotBeReadIsNamed() {
    Path missing = dir.resolve("no-such-config");

    assertThatThrownBy(() -> SshHost.fromSshConfig(missing, "outside"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot read ssh config " + missing + ": ");
  }

  /** Case 24 and a quoted path with spaces, on both engines, against a real server. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class AgainstAServer {

    final SshdContainer server = new SshdContainer();
    Path files;
    Path serverKnownHosts;
    KeyPair authorized;

    @BeforeAll
    void startTheServer() throws IOException {
      files = Files.createDirectories(dir.resolve("against-a-server"));
      server.start();
      authorized = KeyMaterial.generate();
      server.authorizeKey(authorized.getPublic());
      serverKnownHosts =
          Files.writeString(
              files.resolve("known_hosts"),
              "["
                  + server.host()
                  + "]:"
                  + server.port()
                  + " "
                  + KeyMaterial.publicKeyLine(server.hostKey())
                  + "\n");
    }

    @AfterAll
    void stopTheServer() {
      server.stop();
    }

    @ParameterizedTest
    @EnumSource(names = {"MINA", "OPENSSH"})
    void anAuthorizedKeyFileOpenToOthersIsRefusedTheSameWayOnBothEngines(Engine engine)
        throws IOException {
      // Authorized on the server: MINA alone would log in with it; OpenSSH would ignore it.
      Path key = privateKey(files.resolve("id_0644_" + engine), authorized);
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

      Throwable refused =
          catchFromConnect(
              () -> SshHost.of(server.host(), server.port(), server.user(), key, serverKnownHosts),
              engine);

      assertThat(refused)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "SshHost: the identity file \""
                  + key
                  + "\" has mode 0644, open to group or others; OpenSSH ignores such a key, so"
                  + " muxtest refuses it on both engines: chmod 600 "
                  + key);
      assertThrownBySshHostItself(refused);
    }

    @ParameterizedTest
    @EnumSource(names = {"MINA", "OPENSSH"})
    void anAuthorizedPassphraseProtectedKeyIsRefusedTheSameWayOnBothEngines(Engine engine)
        throws Exception {
      Path key = sshKeygen(files.resolve("id_passphrase_" + engine), "a passphrase", "RFC4716");
      server.authorizeKey(publicKeyOf(key.resolveSibling(key.getFileName() + ".pub")));

      Throwable refused =
          catchFromConnect(
              () -> SshHost.of(server.host(), server.port(), server.user(), key, serverKnownHosts),
              engine);

      assertThat(refused)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(passphraseRefusal(key));
      assertThrownBySshHostItself(refused);
    }

    @ParameterizedTest
    @EnumSource(names = {"MINA", "OPENSSH"})
    void aConfigWithQuotedPathsWithSpacesConnects(Engine engine) throws IOException {
      Path spaced = Files.createDirectories(files.resolve("dir with space and a \\b " + engine));
      Path key = privateKey(spaced.resolve("id ecdsa"), authorized);
      Path hosts = Files.copy(serverKnownHosts, spaced.resolve("known hosts"));
      Path config =
          Files.writeString(
              spaced.resolve("ssh config"),
              String.join(
                  "\n",
                  "Host outside",
                  "  HostName " + server.host(),
                  "  Port " + server.port(),
                  "  User " + server.user(),
                  "  IdentityFile \"" + key + "\"",
                  "  UserKnownHostsFile \"" + hosts + "\" # holds the server's key",
                  "Host *",
                  "  Port 1",
                  ""));

      SshHost host = SshHost.fromSshConfig(config, "outside");
      try (CloseableSshMaster master = SshMasters.connect(host, MasterOptions.engine(engine))) {
        assertThat(master.exec("whoami").stdout()).isEqualTo(server.user() + "\n");
        assertThat(master.connectionReport().clientTcpConnections()).isEqualTo(1);
      }
      assertThat(host.identityFile()).isEqualTo(key);
      assertThat(host.knownHostsFile()).isEqualTo(hosts);
    }
  }

  // --- helpers ---

  /** What {@code make} throws, or what connecting a master to its host with {@code engine} does. */
  private static Throwable catchFromConnect(ThrowingSupplier<SshHost> make, Engine engine) {
    try {
      SshHost host = make.get();
      try (CloseableSshMaster master = SshMasters.connect(host, MasterOptions.engine(engine))) {
        return new AssertionError("a master connected to " + host + " on " + engine);
      }
    } catch (Throwable e) {
      return e;
    }
  }

  @FunctionalInterface
  private interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  /** Thrown by SshHost itself: no engine, no SshMasters frame on the way. */
  private static void assertThrownBySshHostItself(Throwable refused) {
    List<String> classes =
        Arrays.stream(refused.getStackTrace()).map(StackTraceElement::getClassName).toList();
    assertThat(classes.get(0)).isEqualTo(SshHost.class.getName());
    assertThat(classes)
        .noneMatch(
            c -> c.startsWith("dev.muxtest.internal.") || c.equals(SshMasters.class.getName()));
  }

  private static String passphraseRefusal(Path key) {
    return "SshHost: the identity file "
        + key
        + " is passphrase-protected; passphrase-protected keys are not supported (muxtest never"
        + " asks for a passphrase): give a key without one";
  }

  private static Stream<Arguments> withEngines(String... values) {
    List<Arguments> all = new ArrayList<>();
    for (Engine engine : List.of(Engine.MINA, Engine.OPENSSH)) {
      for (String value : values) {
        all.add(Arguments.of(engine, value));
      }
    }
    return all.stream();
  }

  /** {@code s} as SshHost shows a value: control characters, quotes and \ escaped. */
  private static String escaped(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default ->
                    b.append(
                        Character.isISOControl(c)
                                || ((Character.isWhitespace(c) || Character.isSpaceChar(c))
                                    && c != ' ')
                            ? String.format("\\u%04x", c)
                            : new String(Character.toChars(c)));
              }
            });
    return b.toString();
  }

  private static char[] modeDigits(String mode) {
    char[] digits = new char[3];
    for (int i = 0; i < 3; i++) {
      int value = 0;
      for (int j = 0; j < 3; j++) {
        value = value * 2 + (mode.charAt(i * 3 + j) == '-' ? 0 : 1);
      }
      digits[i] = (char) ('0' + value);
    }
    return digits;
  }

  /** {@code key} in OpenSSH's format, mode 0600 (or text that is no key, for null). */
  private static Path privateKey(Path file, KeyPair key) throws IOException {
    Files.write(
        file,
        key == null
            ? "this is not a key\n".getBytes()
            : KeyMaterial.openSshPrivateKey(key, "ssh host input test key"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** A key made by the system's ssh-keygen, the way a user makes one. */
  private static Path sshKeygen(Path file, String passphrase, String format) throws Exception {
    Process keygen =
        new ProcessBuilder(
                "ssh-keygen",
                "-q",
                "-t",
                "ecdsa",
                "-b",
                "256",
                "-m",
                format,
                "-N",
                passphrase,
                "-C",
                "muxtest",
                "-f",
                file.toString())
            .redirectErrorStream(true)
            .redirectOutput(file.resolveSibling(file.getFileName() + ".log").toFile())
            .start();
    if (!keygen.waitFor(30, SECONDS)) {
      keygen.destroyForcibly();
      throw new AssertionError("ssh-keygen did not finish within 30 s");
    }
    assertThat(keygen.exitValue()).as("ssh-keygen exit code").isZero();
    return file;
  }

  private static PublicKey publicKeyOf(Path pub) throws Exception {
    return AuthorizedKeyEntry.parseAuthorizedKeyEntry(Files.readString(pub).strip())
        .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
  }

  private static Path config(String... lines) throws IOException {
    return Files.writeString(
        Files.createTempFile(dir, "config", ""), String.join("\n", lines) + "\n");
  }
}

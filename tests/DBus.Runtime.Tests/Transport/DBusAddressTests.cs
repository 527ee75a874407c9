namespace DBus.Runtime.Tests.Transport;

public class DBusAddressTests
{
    [Test]
    public void Parses_a_list_with_unescaped_values_and_a_guid()
    {
        var list = DBusAddress.ParseList(
            "unix:path=/tmp/dbus%20x%2c1,guid=0123456789abcdef0123456789ABCDEF;tcp:host=127.0.0.1,port=4242,family=ipv4;");
        Assert.That(list, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(list[0].Transport, Is.EqualTo("unix"));
            Assert.That(list[0].Properties["path"], Is.EqualTo("/tmp/dbus x,1"));
            Assert.That(list[0].Guid, Is.EqualTo("0123456789abcdef0123456789ABCDEF"));
            Assert.That(list[1].Transport, Is.EqualTo("tcp"));
            Assert.That(list[1].Properties["port"], Is.EqualTo("4242"));
            Assert.That(list[1].Guid, Is.Null);
        });
    }

    [Test]
    public void Decodes_escaped_utf8_and_allows_a_transport_without_properties()
    {
        Assert.That(DBusAddress.Parse("unix:path=/tmp/%c3%a9t%C3%A9").Properties["path"], Is.EqualTo("/tmp/été"));
        var bare = DBusAddress.Parse("autolaunch:");
        Assert.That(bare.Transport, Is.EqualTo("autolaunch"));
        Assert.That(bare.Properties, Is.Empty);
        Assert.That(bare.ToString(), Is.EqualTo("autolaunch:"));
    }

    [Test]
    public void Escape_keeps_the_optionally_escaped_bytes_and_hex_encodes_the_rest_as_utf8()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DBusAddress.Escape(@"az-AZ_09/.\*"), Is.EqualTo(@"az-AZ_09/.\*"));
            Assert.That(DBusAddress.Escape("a b,c;d=e:f%"), Is.EqualTo("a%20b%2cc%3bd%3de%3af%25"));
            Assert.That(DBusAddress.Escape("é\0"), Is.EqualTo("%c3%a9%00"));
            Assert.That(DBusAddress.Escape(""), Is.EqualTo(""));
        });
    }

    private static readonly object[] s_roundTrips =
    [
        new object[] { "unix", new[] { "path", "/tmp/a b", "guid", "00000000000000000000000000000001" } },
        new object[] { "unix", new[] { "abstract", "\0weird;name=1" } },
        new object[] { "tcp", new[] { "host", "::1", "port", "0", "family", "ipv6" } },
        new object[] { "unixexec", new[] { "path", "/bin/sh", "argv0", "sh", "argv1", "-c", "argv2", "echo 'hi, there'" } },
        new object[] { "nonce-tcp", new[] { "noncefile", "/run/nonce é%" } },
    ];

    [TestCaseSource(nameof(s_roundTrips))]
    public void Round_trips_through_ToString_and_Parse(string transport, string[] keysAndValues)
    {
        var pairs = Enumerable.Range(0, keysAndValues.Length / 2)
            .Select(i => new KeyValuePair<string, string>(keysAndValues[2 * i], keysAndValues[2 * i + 1])).ToList();
        string text = transport + ":" + string.Join(",", pairs.Select(p => p.Key + "=" + DBusAddress.Escape(p.Value)));

        var parsed = DBusAddress.Parse(text);
        Assert.That(parsed.Transport, Is.EqualTo(transport));
        Assert.That(parsed.Properties, Is.EquivalentTo(pairs));
        Assert.That(parsed.ToString(), Is.EqualTo(text));
        Assert.That(DBusAddress.Parse(parsed.ToString()).Properties, Is.EquivalentTo(pairs));
    }

    [Test]
    public void ToString_is_canonical_escaping_what_was_needlessly_escaped_no_more()
    {
        var address = DBusAddress.Parse("unix:path=%2ftmp%2fx,guid=0123456789abcdef0123456789abcdef");
        Assert.That(address.ToString(), Is.EqualTo("unix:path=/tmp/x,guid=0123456789abcdef0123456789abcdef"));
    }

    [TestCase("", "the address is empty", 0)]
    [TestCase("unix", "no ':'", 0)]
    [TestCase(":path=/x", "transport name is empty", 0)]
    [TestCase("un ix:path=/x", "transport name has the character ' '", 2)]
    [TestCase("unix:path", "has no '='", 5)]
    [TestCase("unix:=x", "key is empty", 5)]
    [TestCase("unix:path=/a,path=/b", "'path' appears twice", 13)]
    [TestCase("unix:path=/a%2", "cut short", 12)]
    [TestCase("unix:path=/a%zz", "'%zz' is not", 12)]
    [TestCase("unix:path=/a b", "' ' must be %-escaped", 12)]
    [TestCase("unix:path=/a%ff", "not valid UTF-8", 10)]
    [TestCase("unix:path=/a,", "ends with ','", 12)]
    [TestCase("unix:path=/a,,guid=x", "pair is empty", 13)]
    [TestCase("unix:guid=123", "'123' is not 32 hex digits", 10)]
    [TestCase("unix:guid=0123456789abcdef0123456789abcdeg", "not 32 hex digits", 10)]
    [TestCase("unix:path=/a;;tcp:", "entry is empty", 13)]
    [TestCase("unix:pa th=/a", "key has the character ' '", 7)]
    public void Malformed_lists_name_the_problem_and_its_position(string text, string problem, int position)
    {
        var ex = Assert.Throws<FormatException>(() => DBusAddress.ParseList(text));
        Assert.That(ex!.Message, Does.Contain(problem).And.Contain($"at position {position}"));
    }

    [Test]
    public void Parse_takes_exactly_one_entry()
    {
        var ex = Assert.Throws<FormatException>(() => DBusAddress.Parse("unix:path=/a;unix:path=/b"));
        Assert.That(ex!.Message, Does.Contain("one address entry"));
        Assert.Throws<FormatException>(() => DBusAddress.Parse(""));
    }

    [Test]
    public void Property_keys_are_ordinal()
    {
        var address = DBusAddress.Parse("unix:Path=/a,path=/b");
        Assert.That(address.Properties["Path"], Is.EqualTo("/a"));
        Assert.That(address.Properties["path"], Is.EqualTo("/b"));
    }

    [Test]
    [NonParallelizable]
    public void Session_address_comes_from_the_environment_then_the_runtime_directory()
    {
        string? savedAddress = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        string? savedRuntime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        string dir = Directory.CreateTempSubdirectory("dbusgen-addr-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", "unix:path=/somewhere");
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", dir);
            Assert.That(DBusAddress.GetSessionBusAddress(), Is.EqualTo("unix:path=/somewhere"));

            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", null);
            Assert.That(DBusAddress.GetSessionBusAddress(), Is.Null, "no bus socket in the runtime directory");

            File.WriteAllText(Path.Combine(dir, "bus"), "");
            Assert.That(DBusAddress.GetSessionBusAddress(), Is.EqualTo("unix:path=" + DBusAddress.Escape(Path.Combine(dir, "bus"))));

            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", null);
            Assert.That(DBusAddress.GetSessionBusAddress(), Is.Null);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", savedAddress);
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", savedRuntime);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    [NonParallelizable]
    public void System_address_comes_from_the_environment_else_the_well_known_socket()
    {
        string? saved = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        try
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "tcp:host=localhost,port=1");
            Assert.That(DBusAddress.GetSystemBusAddress(), Is.EqualTo("tcp:host=localhost,port=1"));
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", null);
            Assert.That(DBusAddress.GetSystemBusAddress(), Is.EqualTo("unix:path=/var/run/dbus/system_bus_socket"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", saved);
        }
    }
}

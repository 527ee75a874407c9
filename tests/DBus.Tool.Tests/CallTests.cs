using System.Diagnostics;

namespace DBus.Tool.Tests;

/// <summary>
/// dbusgen call against the dbus-python service: its --json output equals busctl --json=short's as JSON values,
/// and its text output equals busctl's, for every type the service echoes; errors are one line.
/// </summary>
[TestFixture]
public sealed class CallTests : ServiceFixture
{
    // Method, then the signature and arguments in busctl's syntax (both tools take the same words).
    private static readonly string[][] s_echoes =
    [
        ["Echo_y", "y", "200"],
        ["Echo_b", "b", "true"],
        ["Echo_n", "n", "--", "-32768"],
        ["Echo_q", "q", "65535"],
        ["Echo_i", "i", "--", "-2147483648"],
        ["Echo_u", "u", "4294967295"],
        ["Echo_x", "x", "--", "-9223372036854775808"],
        ["Echo_t", "t", "18446744073709551615"],
        ["Echo_d", "d", "3.5"],
        ["Echo_d", "d", "--", "-0.1"],
        ["Echo_d", "d", "1e300"],
        ["Echo_s", "s", "plain"],
        ["Echo_s", "s", "h\u00e9 \"quoted\" 'single' tab\there\\"],
        ["Echo_s", "s", ""],
        ["Echo_o", "o", "/org/dbusgen/a_b"],
        ["Echo_g", "g", "a{sv}(ii)"],
        ["Echo_v", "v", "i", "5"],
        ["Echo_v", "v", "as", "2", "x", "y"],
        ["EchoVariant", "v", "v", "v", "s", "deep"],
        ["Echo_ai", "ai", "3", "1", "--", "-2", "3"],
        ["Echo_ai", "ai", "0"],
        ["Echo_ay", "ay", "3", "0", "1", "255"],
        ["Echo_as", "as", "2", "a", "b c"],
        ["Echo_ao", "ao", "2", "/", "/a/b"],
        ["Echo_ad", "ad", "2", "0.5", "1e-5"],
        ["Echo_ax", "ax", "2", "9223372036854775807", "0"],
        ["Echo_ab", "ab", "2", "true", "false"],
        ["Echo_asv", "a{sv}", "3", "name", "s", "Ada", "age", "u", "36", "inner", "v", "b", "true"],
        ["Echo_asv", "a{sv}", "0"],
        ["Echo_aai", "aai", "2", "2", "1", "2", "0"],
        ["Echo_struct", "(isv)", "7", "seven", "ad", "1", "7.5"],
        ["Echo_astruct", "a(sv)", "2", "a", "y", "1", "b", "(ii)", "1", "2"],
        ["Echo_nested", "a{sa(iv)}", "2", "k", "1", "7", "v", "ai", "1", "3", "empty", "0"],
        ["Echo_aav", "aav", "1", "2", "d", "2.5", "s", "x"],
        ["Echo_tuple3", "(ybn)", "1", "true", "--", "-3"],
        ["Echo_deep", "(i(s(d(o))))", "1", "a", "2.5", "/x"],
    ];

    private static IEnumerable<TestCaseData> Echoes() =>
        s_echoes.Select(words => new TestCaseData((object)words).SetArgDisplayNames(string.Join(' ', words)));

    [TestCaseSource(nameof(Echoes))]
    public async Task Json_equals_busctl_json_short(string[] words)
    {
        var busctl = await BusctlAsync(["--json=short", "call", Service, TestPath, TestInterface, .. words]);
        var ours = await DbusgenAsync("call", ["--json", Service, TestPath, TestInterface, .. words]);
        AssertSucceeded(busctl);
        AssertSucceeded(ours);
        Assert.That(ours.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), ours.Output);
        JsonValues.AssertEqual(busctl.Output, ours.Output);
    }

    [TestCaseSource(nameof(Echoes))]
    public async Task Text_equals_busctl_text(string[] words)
    {
        var busctl = await BusctlAsync(["call", Service, TestPath, TestInterface, .. words]);
        var ours = await DbusgenAsync("call", [Service, TestPath, TestInterface, .. words]);
        AssertSucceeded(busctl);
        AssertSucceeded(ours);
        Assert.That(ours.Output, Is.EqualTo(busctl.Output));
    }

    [Test]
    public async Task A_method_without_a_reply_body_prints_nothing()
    {
        var ours = await DbusgenAsync("call", Service, TestPath, TestInterface, "Emit", "s", "quiet");
        AssertSucceeded(ours);
        Assert.That(ours.Output, Is.Empty);
    }

    [Test]
    public async Task An_h_argument_passes_a_descriptor_of_dbusgen_by_its_number_0_being_standard_input()
    {
        // The service reads the descriptor it received to its end: what the test wrote to dbusgen's standard input.
        var ours = await DbusgenWithInputAsync("through a descriptor", "call", Service, TestPath, TestInterface, "ReadFd", "h", "0");
        AssertSucceeded(ours);
        Assert.That(ours.Output, Is.EqualTo("s \"through a descriptor\"\n"));
    }

    [TestCase("77", "file descriptor 77 is not open in dbusgen's process")]
    [TestCase("stdin", "'stdin' is not a file descriptor number for 'h'")]
    public async Task An_h_argument_that_names_no_open_descriptor_is_one_line_saying_so(string word, string expected)
    {
        var result = await DbusgenAsync("call", Service, TestPath, TestInterface, "ReadFd", "h", word);
        Assert.That(AssertFailedWithOneLine(result), Does.Contain(expected));
    }

    [Test]
    public async Task A_dbus_error_is_one_line_naming_the_error_and_its_message()
    {
        var result = await DbusgenAsync("call", Service, TestPath, TestInterface, "Raise", "ss", "org.dbusgen.Error.Custom", "it broke");
        Assert.That(AssertFailedWithOneLine(result), Is.EqualTo("Error org.dbusgen.Error.Custom: it broke"));
        Assert.That(result.Output, Is.Empty);
    }

    [Test]
    public async Task An_unknown_method_names_the_python_exception_not_its_traceback()
    {
        var result = await DbusgenAsync("call", Service, TestPath, TestInterface, "NoSuchMethod");
        string line = AssertFailedWithOneLine(result);
        Assert.That(line, Does.StartWith("Error org.freedesktop.DBus.Error.UnknownMethod: "));
        Assert.That(line, Does.Contain("NoSuchMethod").And.Not.Contain("Traceback"));
    }

    [Test]
    public async Task A_missing_service_names_ServiceUnknown()
    {
        var result = await DbusgenAsync("call", "org.dbusgen.Nobody", "/", "org.dbusgen.Nobody", "Hello");
        Assert.That(AssertFailedWithOneLine(result), Does.StartWith("Error org.freedesktop.DBus.Error.ServiceUnknown: "));
    }

    [Test]
    public async Task An_unreachable_bus_is_one_line_saying_which()
    {
        var result = await InstalledTool.RunAsync("call", "--address=unix:path=/nonexistent/dbusgen-bus", Service, TestPath, TestInterface, "Quit");
        Assert.That(AssertFailedWithOneLine(result), Does.StartWith("dbusgen: cannot connect to the bus at unix:path=/nonexistent/dbusgen-bus"));
    }

    [TestCase(new[] { "i", "seven" }, "'seven' is not a valid value of type 'i'")]
    [TestCase(new[] { "ai", "2", "1" }, "too few arguments")]
    [TestCase(new[] { "i", "1", "2" }, "too many arguments")]
    [TestCase(new[] { "a{sv", "0" }, "'a{sv' is not a valid signature")]
    [TestCase(new[] { "v", "ii", "1", "2" }, "a variant holds exactly one complete type")]
    public async Task A_bad_argument_is_one_line_naming_the_problem(string[] words, string expected)
    {
        var result = await DbusgenAsync("call", [Service, TestPath, TestInterface, "Echo_i", .. words]);
        Assert.That(AssertFailedWithOneLine(result), Does.StartWith("dbusgen: ").And.Contain(expected));
    }

    [Test]
    public async Task Missing_arguments_are_one_line_pointing_at_help()
    {
        var result = await DbusgenAsync("call", Service);
        Assert.That(AssertFailedWithOneLine(result), Does.StartWith("dbusgen: ").And.Contain("dbusgen call --help"));
    }

    [Test]
    public async Task Timeout_ends_the_wait_with_NoReply()
    {
        var clock = Stopwatch.StartNew();
        var result = await DbusgenAsync("call", "--timeout", "0.5", Service, TestPath, TestInterface, "Sleep", "d", "20");
        clock.Stop();
        Assert.That(AssertFailedWithOneLine(result), Does.StartWith("Error org.freedesktop.DBus.Error.NoReply: "));
        // 20 s is what the service would take; the process start on a loaded machine stays well below that.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public async Task Expect_reply_false_sends_the_call_and_returns_without_waiting()
    {
        await using var pings = await Connection.WatchAsync(MatchRule.Parse($"type='signal',interface='{TestInterface}',member='Pinged'"));
        var result = await DbusgenAsync("call", "--expect-reply=false", Service, TestPath, TestInterface, "Emit", "s", "fire and forget");
        AssertSucceeded(result);
        Assert.That(result.Output, Is.Empty);

        // The call arrived: the service emitted the signal it emits for Emit.
        using var cts = new CancellationTokenSource(Timeout);
        using var signal = await pings.ReceiveAsync(cts.Token);
        Assert.That(signal.GetBodyReader().ReadString(), Is.EqualTo("fire and forget"));
    }
}

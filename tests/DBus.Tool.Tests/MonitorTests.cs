using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DBus.Tool.Tests;

/// <summary>
/// dbusgen monitor shows a call made while it runs (as a monitor or by eavesdropping, as text or JSON), and its
/// --pcap file is the pcapng busctl capture writes: our own parser reads the messages back.
/// </summary>
[TestFixture]
public sealed class MonitorTests : ServiceFixture
{
    /// <summary>Starts dbusgen monitor and returns once it says it is monitoring (on stderr, like busctl).</summary>
    private async Task<Process> StartMonitorAsync(params string[] arguments)
    {
        var start = ProcessRunner.StartInfo(await InstalledTool.GetPathAsync(), ["monitor", "--address=" + Bus.Address, .. arguments]);
        var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(Timeout);
        string? line = await process.StandardError.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("Monitoring", StringComparison.Ordinal))
        {
            process.Kill();
            Assert.Fail($"dbusgen monitor did not start: {line}{await process.StandardError.ReadToEndAsync()}");
        }
        return process;
    }

    private static async Task<string> WaitForExitAsync(Process process)
    {
        using var cts = new CancellationTokenSource(Timeout);
        string output = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.That(process.ExitCode, Is.Zero, output);
        return output;
    }

    private async Task CallEchoAsync(string text)
    {
        using var call = CreateEcho(text);
        using var reply = await Connection.CallAsync(call);
    }

    private static Message CreateEcho(string text)
    {
        using var writer = MessageWriter.CreateMethodCall(Service, new ObjectPath(TestPath), TestInterface, "Echo_s", new Signature("s"));
        writer.WriteString(text);
        return writer.ToMessage();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Shows_a_call_made_while_it_runs(bool eavesdrop)
    {
        using var monitor = await StartMonitorAsync(eavesdrop ? ["--eavesdrop", "--count", "1", "member='Echo_s'"] : ["--count", "1", "member='Echo_s'"]);
        await CallEchoAsync("watched");
        string output = await WaitForExitAsync(monitor);
        Assert.That(output, Does.Match(
            $"^method_call sender={Regex.Escape(Connection.UniqueName!)} destination={Regex.Escape(Service)} serial=[0-9]+ " +
            $"path={TestPath} interface={Regex.Escape(TestInterface)} member=Echo_s: s \"watched\"\n$"));
    }

    [Test]
    public async Task Json_lines_carry_the_header_and_the_payload()
    {
        using var monitor = await StartMonitorAsync("--json", "--count", "2", "member='Echo_s'", $"type='method_return',destination='{Connection.UniqueName}'");
        await CallEchoAsync("as json");
        var lines = (await WaitForExitAsync(monitor)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        using var call = JsonDocument.Parse(lines[0]);
        using var reply = JsonDocument.Parse(lines[1]);
        Assert.That(call.RootElement.GetProperty("type").GetString(), Is.EqualTo("method_call"));
        Assert.That(call.RootElement.GetProperty("member").GetString(), Is.EqualTo("Echo_s"));
        JsonValues.AssertEqual("""{"type":"s","data":["as json"]}""", call.RootElement.GetProperty("payload").GetRawText());
        Assert.That(reply.RootElement.GetProperty("type").GetString(), Is.EqualTo("method_return"));
        Assert.That(reply.RootElement.GetProperty("reply_cookie").GetUInt32(), Is.EqualTo(call.RootElement.GetProperty("cookie").GetUInt32()));
    }

    [Test]
    public async Task Pcap_file_reads_back_with_our_message_parser()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dbusgen-{Guid.NewGuid():N}.pcapng");
        try
        {
            using var monitor = await StartMonitorAsync("--pcap", file, "--count", "1", "member='Echo_s'");
            await CallEchoAsync("captured");
            await WaitForExitAsync(monitor);

            var capture = PcapNg.Read(File.ReadAllBytes(file));
            Assert.That(capture.LinkType, Is.EqualTo(231), "DLT_DBUS");
            Assert.That(capture.Application, Does.StartWith("dbusgen "));
            using var message = Message.Parse(capture.Packets.Single());
            Assert.That((message.Type, message.Member, message.Sender), Is.EqualTo((MessageType.MethodCall, "Echo_s", Connection.UniqueName)));
            Assert.That(message.GetBodyReader().ReadString(), Is.EqualTo("captured"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Terminating_the_monitor_ends_it_cleanly_with_a_readable_capture()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dbusgen-{Guid.NewGuid():N}.pcapng");
        try
        {
            using var monitor = await StartMonitorAsync("--pcap", file, "member='Echo_s'");
            await CallEchoAsync("then stopped");
            using (var cts = new CancellationTokenSource(Timeout))
            {
                string? line = await monitor.StandardOutput.ReadLineAsync(cts.Token);
                Assert.That(line, Does.Contain("member=Echo_s"));
            }
            // What Ctrl+C or a service manager does: the monitor ends with exit code 0.
            var kill = await ProcessRunner.RunAsync("kill", ["-TERM", monitor.Id.ToString()], Timeout);
            Assert.That(kill.ExitCode, Is.Zero, kill.ToString());
            await WaitForExitAsync(monitor);

            var capture = PcapNg.Read(File.ReadAllBytes(file));
            Assert.That(capture.Packets, Has.Count.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Pcap_format_is_the_one_busctl_capture_writes()
    {
        // busctl capture writes the same blocks to stdout: the reader that checks our file reads busctl's too.
        var start = ProcessRunner.StartInfo("busctl", ["--address=" + Bus.Address, "capture"]);
        using var busctl = Process.Start(start)!;
        var bytes = new MemoryStream();
        var copy = busctl.StandardOutput.BaseStream.CopyToAsync(bytes);
        using (var cts = new CancellationTokenSource(Timeout))
        {
            string? line = await busctl.StandardError.ReadLineAsync(cts.Token);
            Assert.That(line, Does.StartWith("Monitoring"));
        }
        await CallEchoAsync("busctl saw this");
        // busctl writes each message as it arrives; wait for ours to be in the bytes, then stop it.
        var clock = Stopwatch.StartNew();
        PcapNg.Capture? capture = null;
        while (clock.Elapsed < Timeout)
        {
            try
            {
                capture = PcapNg.Read(bytes.ToArray(), allowTruncated: true);
                if (capture.Packets.Any(p => Message.Parse(p) is { Member: "Echo_s" }))
                {
                    break;
                }
            }
            catch (InvalidDataException)
            {
                // Not even the header yet.
            }
            await Task.Delay(50);
        }
        busctl.Kill();
        await busctl.WaitForExitAsync();
        Assert.That(capture, Is.Not.Null);
        Assert.That(capture!.LinkType, Is.EqualTo(231));
        Assert.That(capture.Application, Does.StartWith("busctl"));
        Assert.That(capture.Packets.Select(p => Message.Parse(p).Member), Does.Contain("Echo_s"));
    }
}

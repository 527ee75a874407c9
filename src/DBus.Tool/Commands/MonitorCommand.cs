using System.CommandLine;
using System.Runtime.InteropServices;
using System.Threading.Channels;

using DBus.Tool.Monitoring;

namespace DBus.Tool.Commands;

/// <summary>
/// <c>dbusgen monitor</c>: prints the messages on a bus, one line each, as they pass. The connection becomes a
/// monitor (BecomeMonitor); where the bus refuses that, it eavesdrops with match rules instead.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var matches = new Argument<string[]>("MATCH")
        {
            Description = "Match rules selecting the messages to show, e.g. \"interface='org.freedesktop.DBus'\" (default: all).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per message (one per line)." };
        var pcap = new Option<string?>("--pcap")
        {
            Description = "Also write the messages to FILE in busctl capture's pcapng format (Wireshark reads it).",
            HelpName = "FILE",
        };
        var snapLength = new Option<int>("--snaplen")
        {
            Description = "The most bytes of one message written to the --pcap file (default: whole messages).",
            DefaultValueFactory = _ => PcapNgWriter.DefaultSnapLength,
            HelpName = "BYTES",
        };
        var count = new Option<int?>("--count") { Description = "Stop after this many messages.", HelpName = "N" };
        var eavesdrop = new Option<bool>("--eavesdrop")
        {
            Description = "Eavesdrop with match rules instead of becoming a monitor (for buses that refuse BecomeMonitor).",
        };
        var command = new Command("monitor", "Show the messages passing on the bus, one line each, until interrupted (Ctrl+C) or --count is reached.")
        {
            matches, json, pcap, snapLength, count, eavesdrop,
        }.With(
            "dbusgen monitor \"interface='org.freedesktop.Notifications'\" --pcap notifications.pcapng");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            var rules = (result.GetValue(matches) ?? []).Select(ParseRule).ToList();
            int? limit = result.GetValue(count);
            if (limit is <= 0)
            {
                throw new ToolException("--count must be a positive number");
            }
            int snap = result.GetValue(snapLength);
            if (snap <= 0)
            {
                throw new ToolException("--snaplen must be a positive number of bytes");
            }
            using var capture = OpenCapture(result.GetValue(pcap), snap);

            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken);
            var messages = Channel.CreateUnbounded<(byte[] Bytes, DateTimeOffset Received)>(new UnboundedChannelOptions { SingleReader = true });
            string? self = connection.UniqueName;
            connection.AddMessageFilter((_, message) =>
            {
                // Our own traffic (eavesdropping setup, NameLost when becoming a monitor) is not what was asked for.
                if (self is null || (message.Sender != self && message.Destination != self))
                {
                    messages.Writer.TryWrite((message.Bytes.ToArray(), DateTimeOffset.UtcNow));
                }
                // Handled: a monitor must never answer the calls it sees.
                return MessageFilterResult.Handled;
            });
            connection.CallOnDisconnection((_, reason) => messages.Writer.TryComplete());

            await StartMonitoringAsync(connection, rules, result.GetValue(eavesdrop), cancellationToken);
            Console.Error.WriteLine("Monitoring bus message stream.");

            bool asJson = result.GetValue(json);
            int seen = 0;
            try
            {
                await foreach (var (bytes, received) in messages.Reader.ReadAllAsync(cancellationToken))
                {
                    capture?.Write(bytes, received);
                    Print(bytes, received, asJson);
                    if (++seen == limit)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C is how a monitor normally ends.
            }
            return 0;
        });
        return command;
    }

    private static MatchRule ParseRule(string text)
    {
        try
        {
            return MatchRule.Parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ToolException($"'{text}' is not a valid match rule: {ErrorText.FirstLine(e.Message)}");
        }
    }

    private static PcapNgWriter? OpenCapture(string? path, int snapLength)
    {
        if (path is null)
        {
            return null;
        }
        try
        {
            return new PcapNgWriter(File.Create(path), snapLength, RuntimeInformation.OSDescription, "dbusgen " + ToolVersion());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot write the capture file {path}: {e.Message}");
        }
    }

    private static async Task StartMonitoringAsync(DBusConnection connection, List<MatchRule> rules, bool eavesdrop, CancellationToken cancellationToken)
    {
        if (!eavesdrop)
        {
            try
            {
                await connection.BecomeMonitorAsync(rules, cancellationToken);
                return;
            }
            catch (DBusException e)
            {
                Console.Error.WriteLine($"The bus refused BecomeMonitor ({e.ErrorName}: {ErrorText.FirstLine(e.ErrorMessage ?? "")}); eavesdropping with match rules instead.");
            }
        }
        // Without rules, one eavesdropping rule per message type: an empty rule would not eavesdrop on calls.
        IEnumerable<string> texts = rules.Count > 0
            ? rules.Select(r => r.ToString())
            : ["type='signal'", "type='method_call'", "type='method_return'", "type='error'"];
        foreach (string text in texts)
        {
            await connection.AddMatchAsync(MatchRule.Parse(text.Length == 0 ? "eavesdrop=true" : text + ",eavesdrop=true"), cancellationToken);
        }
    }

    private static void Print(byte[] bytes, DateTimeOffset received, bool json)
    {
        Message message;
        try
        {
            message = Message.Parse(bytes);
        }
        catch (Exception e) when (e is DBusProtocolException or ArgumentException or InvalidOperationException)
        {
            Console.Out.WriteLine($"<a message of {bytes.Length} bytes that could not be parsed: {ErrorText.FirstLine(e.Message)}>");
            return;
        }
        using (message)
        {
            if (json)
            {
                Output.WriteJsonLine(w => MessageFormatter.WriteJson(w, message, received));
            }
            else
            {
                Console.Out.WriteLine(MessageFormatter.FormatLine(message));
            }
        }
        Console.Out.Flush();
    }

    private static string ToolVersion() =>
        typeof(MonitorCommand).Assembly.GetName().Version?.ToString(3) ?? "";
}

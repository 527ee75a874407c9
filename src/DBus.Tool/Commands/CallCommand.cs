using System.CommandLine;

using DBus.Tool.Values;

namespace DBus.Tool.Commands;

/// <summary><c>dbusgen call</c>: calls a method and prints its reply like busctl.</summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var destination = CommonArguments.Destination();
        var path = CommonArguments.ObjectPath();
        var @interface = CommonArguments.Interface();
        var method = new Argument<string>("METHOD") { Description = "The method name." };
        var signature = CommonArguments.SignatureArgument();
        var values = CommonArguments.ValuesArgument();
        var json = CommonArguments.Json();
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to wait for the reply (default: the connection's 25 s).",
            HelpName = "SECONDS",
        };
        var expectReply = new Option<bool>("--expect-reply")
        {
            Description = "Wait for the reply (the default); --expect-reply=false sends the call flagged NO_REPLY_EXPECTED and returns at once.",
            DefaultValueFactory = _ => true,
        };
        var command = new Command("call", "Call a method and print its reply in busctl's form (the signature, then the values).")
        {
            destination, path, @interface, method, signature, values, json, timeout, expectReply,
        }.With(
            "dbusgen call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s org.freedesktop.DBus",
            "dbusgen call --json com.example.App /com/example/App com.example.App Configure a{sv} 2 Name s Ada Age u 36");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            var objectPath = CommonArguments.ParsePath(result.GetValue(path)!);
            var (bodySignature, body) = CommonArguments.ParseValues(result.GetValue(signature), result.GetValue(values));
            bool wantReply = result.GetValue(expectReply);
            double? seconds = result.GetValue(timeout);
            if (seconds is <= 0 or > int.MaxValue / 1000)
            {
                throw new ToolException($"--timeout must be a positive number of seconds, not {seconds}");
            }

            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken, enableFds: MessageBody.CarriesUnixFds(body));
            var writer = MessageWriter.CreateMethodCall(result.GetValue(destination), objectPath, result.GetValue(@interface),
                result.GetValue(method)!, bodySignature, wantReply ? MessageFlags.None : MessageFlags.NoReplyExpected);
            using var call = MessageBody.Write(ref writer, body);
            if (!wantReply)
            {
                connection.Send(call);
                await connection.FlushAsync();
                return 0;
            }
            using var reply = await connection.CallAsync(call, seconds is { } s ? TimeSpan.FromSeconds(s) : null, cancellationToken);
            PrintBody(reply.Signature, MessageBody.Read(reply), result.GetValue(json));
            return 0;
        });
        return command;
    }

    /// <summary>Prints a body as busctl does: nothing for an empty body, else one line of text or JSON.</summary>
    public static void PrintBody(Signature signature, Variant[] values, bool json)
    {
        if (signature.IsEmpty)
        {
            return;
        }
        if (json)
        {
            Output.WriteJsonLine(writer => JsonFormatter.WriteBody(writer, signature, values));
        }
        else
        {
            Console.Out.WriteLine(TextFormatter.Format(signature, values));
        }
    }
}

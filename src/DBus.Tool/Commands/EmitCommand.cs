using System.CommandLine;

using DBus.Tool.Values;

namespace DBus.Tool.Commands;

/// <summary><c>dbusgen emit</c>: sends a signal from this connection.</summary>
internal static class EmitCommand
{
    public static Command Create()
    {
        var path = CommonArguments.ObjectPath();
        var @interface = CommonArguments.Interface();
        var signal = new Argument<string>("SIGNAL") { Description = "The signal name." };
        var signature = CommonArguments.SignatureArgument();
        var values = CommonArguments.ValuesArgument();
        var destination = new Option<string?>("--destination")
        {
            Description = "Send the signal to this bus name only (a unicast signal) instead of broadcasting it.",
            HelpName = "NAME",
        };
        var command = new Command("emit", "Emit a signal with arguments in busctl's syntax.")
        {
            path, @interface, signal, signature, values, destination,
        }.With(
            "dbusgen emit /com/example/App com.example.App Changed sa{sv} Volume 1 Level d 0.5");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            var objectPath = CommonArguments.ParsePath(result.GetValue(path)!);
            var (bodySignature, body) = CommonArguments.ParseValues(result.GetValue(signature), result.GetValue(values));
            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken, enableFds: MessageBody.CarriesUnixFds(body));
            var writer = MessageWriter.CreateSignal(objectPath, result.GetValue(@interface)!, result.GetValue(signal)!, bodySignature, result.GetValue(destination));
            using var message = MessageBody.Write(ref writer, body);
            connection.EmitSignal(message);
            await connection.FlushAsync();
            return 0;
        });
        return command;
    }
}

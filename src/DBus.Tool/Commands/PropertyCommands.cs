using System.CommandLine;

using DBus.Tool.Values;

namespace DBus.Tool.Commands;

/// <summary><c>dbusgen get-property</c> and <c>set-property</c>, through org.freedesktop.DBus.Properties.</summary>
internal static class PropertyCommands
{
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    public static Command CreateGet()
    {
        var destination = CommonArguments.Destination();
        var path = CommonArguments.ObjectPath();
        var @interface = CommonArguments.Interface();
        var properties = new Argument<string[]>("PROPERTY")
        {
            Description = "One or more property names.",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = CommonArguments.Json();
        var command = new Command("get-property", "Print the value of one or more properties, one line each, as the type and the value (or JSON).")
        {
            destination, path, @interface, properties, json,
        }.With(
            "dbusgen get-property org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus Features");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            var objectPath = CommonArguments.ParsePath(result.GetValue(path)!);
            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken);
            foreach (string property in result.GetValue(properties)!)
            {
                using var call = CreateGet(result.GetValue(destination)!, objectPath, result.GetValue(@interface)!, property);
                using var reply = await connection.CallAsync(call, cancellationToken);
                if (reply.Signature.Value != "v")
                {
                    throw new ToolException($"Properties.Get of {property} answered with signature '{reply.Signature}' instead of 'v'");
                }
                var value = reply.GetBodyReader().ReadVariant();
                if (result.GetValue(json))
                {
                    // busctl --json get-property prints the variant itself: {"type":…,"data":…}.
                    Output.WriteJsonLine(w => JsonFormatter.WriteValue(w, Variant.FromVariant(value)));
                }
                else
                {
                    Console.Out.WriteLine(TextFormatter.Format(value.Signature, [value]));
                }
            }
            return 0;
        });
        return command;
    }

    private static Message CreateGet(string destination, ObjectPath path, string interfaceName, string property)
    {
        var writer = MessageWriter.CreateMethodCall(destination, path, PropertiesInterface, "Get", new Signature("ss"));
        return MessageBody.Write(ref writer, [interfaceName, property]);
    }

    public static Command CreateSet()
    {
        var destination = CommonArguments.Destination();
        var path = CommonArguments.ObjectPath();
        var @interface = CommonArguments.Interface();
        var property = new Argument<string>("PROPERTY") { Description = "The property name." };
        var signature = new Argument<string>("SIGNATURE") { Description = "The property's type: one complete type, e.g. s or a{sv}." };
        var values = CommonArguments.ValuesArgument();
        values.Arity = ArgumentArity.OneOrMore;
        var command = new Command("set-property", "Set a property to a value given in busctl's syntax.")
        {
            destination, path, @interface, property, signature, values,
        }.With(
            "dbusgen set-property com.example.App /com/example/App com.example.App Volume d 0.5",
            "dbusgen set-property com.example.App /com/example/App com.example.App Tags as 2 red green");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            var objectPath = CommonArguments.ParsePath(result.GetValue(path)!);
            var (type, parsed) = CommonArguments.ParseValues(result.GetValue(signature), result.GetValue(values));
            if (!type.IsSingleCompleteType)
            {
                throw new ToolException($"a property has one complete type, not '{type}'");
            }
            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken, enableFds: MessageBody.CarriesUnixFds(parsed));
            var writer = MessageWriter.CreateMethodCall(result.GetValue(destination), objectPath, PropertiesInterface, "Set", new Signature("ssv"));
            using var call = MessageBody.Write(ref writer, [result.GetValue(@interface)!, result.GetValue(property)!, Variant.FromVariant(parsed[0])]);
            using var reply = await connection.CallAsync(call, cancellationToken);
            return 0;
        });
        return command;
    }
}

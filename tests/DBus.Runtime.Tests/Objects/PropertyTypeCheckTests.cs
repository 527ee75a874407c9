using DBusGen.Tests.Shared;
using DBus.Runtime.Tests.Connection;

namespace DBus.Runtime.Tests.Objects;

/// <summary>A handler whose WriteProperty writes values of the wrong type gets error replies, never malformed ones.</summary>
[TestFixture]
[NonParallelizable]
public class PropertyTypeCheckTests
{
    private static readonly TimeSpan s_timeout = PeerPair.Timeout;

    private static Message PropertiesCall(string member, params string[] arguments)
    {
        var writer = MessageWriter.CreateMethodCall(null, "/broken", "org.freedesktop.DBus.Properties", member, new Signature(new string('s', arguments.Length)));
        foreach (var argument in arguments)
        {
            writer.WriteString(argument);
        }
        return writer.ToMessage();
    }

    private static DBusException ErrorOf(DBusConnection client, Message call) =>
        (DBusException)Assert.ThrowsAsync(Is.InstanceOf<DBusException>(), () => client.CallAsync(call, s_timeout))!;

    [Test]
    public async Task Get_and_GetAll_of_a_wrongly_written_value_answer_Failed_naming_the_property_and_both_types()
    {
        await using var pair = PeerPair.Create();
        var failures = new List<Exception>();
        pair.Server.CallbackFailed += (_, e) => { lock (failures) failures.Add(e); };
        pair.Server.Export("/broken", new BrokenHandler());

        var wrong = ErrorOf(pair.Client, PropertiesCall("Get", BrokenHandler.Name, "Count"));
        Assert.That(wrong.ErrorName, Is.EqualTo(DBusErrorNames.Failed));
        Assert.That(wrong.ErrorMessage, Is.EqualTo(
            "property 'com.example.Broken.Count' is declared with type 'i', but the handler's WriteProperty wrote a value of type 's'"));

        var missing = ErrorOf(pair.Client, PropertiesCall("Get", BrokenHandler.Name, "Missing"));
        Assert.That(missing.ErrorMessage, Does.Contain("'com.example.Broken.Missing'").And.Contain("'u'").And.EndWith("wrote nothing"));

        var all = ErrorOf(pair.Client, PropertiesCall("GetAll", BrokenHandler.Name));
        Assert.That(all.ErrorName, Is.EqualTo(DBusErrorNames.Failed));
        Assert.That(all.ErrorMessage, Does.Contain("'com.example.Broken.Count'"));

        // The well-typed property is still served, and the connection lives on.
        using (var fine = await pair.Client.CallAsync(PropertiesCall("Get", BrokenHandler.Name, "Fine"), s_timeout))
        {
            Assert.That(fine.GetBodyReader().ReadVariant().GetString(), Is.EqualTo("ok"));
        }
        Assert.Throws<InvalidOperationException>(() => pair.Server.EmitPropertiesChanged("/broken", new BrokenHandler(), "Count"));
        lock (failures)
        {
            Assert.That(failures, Has.Count.EqualTo(3).And.All.InstanceOf<InvalidOperationException>());
        }
    }

    [Test]
    public async Task Gdbus_gets_an_error_not_a_malformed_reply()
    {
        using var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions
        {
            ConnectionAdded = (_, connection) => connection.Export("/broken", new BrokenHandler()),
        });
        var get = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "com.example.Broken", "--object-path", "/broken",
            "--method", "org.freedesktop.DBus.Properties.Get", BrokenHandler.Name, "Count");
        Assert.That(get.ExitCode, Is.Not.Zero, get.ToString());
        Assert.That(get.Error, Does.Contain("org.freedesktop.DBus.Error.Failed").And.Contain("declared with type 'i'"), get.ToString());
        var fine = await ExternalTool.RunAsync("gdbus", "call", "--address", server.Address, "--dest", "com.example.Broken", "--object-path", "/broken",
            "--method", "org.freedesktop.DBus.Properties.Get", BrokenHandler.Name, "Fine");
        Assert.That(fine.Output.Trim(), Is.EqualTo("(<'ok'>,)"), fine.ToString());
    }

    /// <summary>Count is declared 'i' but written as a string; Missing writes nothing; Fine is right.</summary>
    private sealed class BrokenHandler : IDBusInterfaceHandler
    {
        public const string Name = "com.example.Broken";

        public string InterfaceName => Name;

        public string IntrospectionXml => """
            <interface name="com.example.Broken">
              <property name="Fine" type="s" access="read"/>
              <property name="Count" type="i" access="read"/>
              <property name="Missing" type="u" access="read"/>
            </interface>
            """;

        public ValueTask HandleCallAsync(MethodContext context) => default;

        public void WriteProperty(string name, ref MessageWriter writer)
        {
            switch (name)
            {
                case "Fine":
                case "Count":
                    writer.WriteString("ok");
                    break;
            }
        }

        public void SetProperty(string name, ref MessageReader reader) => throw new NotSupportedException();
    }
}

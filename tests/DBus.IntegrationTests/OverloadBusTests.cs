using DBusGen.Tests.Shared;
using DBus.IntegrationTests.Generated;
using DBus.Testing;

namespace DBus.IntegrationTests;

/// <summary>
/// The generated <c>IOverloadsHandler</c> (dbus/org.dbusgen.Overloads.xml: <c>Frob</c> declared with the in-signatures
/// <c>i</c>, <c>s</c> and <c>su</c>), exported on a private dbus-daemon: busctl and the generated proxy reach each
/// overload by its signature, and a call of another signature gets InvalidArgs from the connection.
/// </summary>
[NonParallelizable]
public class OverloadBusTests
{
    private const string Name = "org.dbusgen.OverloadService";
    private const string ObjectPathText = "/org/dbusgen/Overloads";
    private const string Interface = "org.dbusgen.Overloads";

    private PrivateBus _bus = null!;
    private DBusConnection _service = null!;
    private DBusConnection _client = null!;
    private OverloadsService _impl = null!;
    private IDisposable _export = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await DBusConnection.ConnectAsync(_bus.Address);
        _impl = new OverloadsService();
        _export = _service.Export(ObjectPathText, _impl);
        await _service.RequestNameAsync(Name);
        _client = await DBusConnection.ConnectAsync(_bus.Address);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _export?.Dispose();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    [Test]
    public async Task BusctlReachesEachOverloadBySignature()
    {
        string address = $"--address={_bus.Address}";
        var number = await ExternalTool.RunAsync("busctl", address, "--", "call", Name, ObjectPathText, Interface, "Frob", "i", "-7");
        var text = await ExternalTool.RunAsync("busctl", address, "call", Name, ObjectPathText, Interface, "Frob", "s", "seven");
        var repeated = await ExternalTool.RunAsync("busctl", address, "call", Name, ObjectPathText, Interface, "Frob", "su", "ab", "3");
        Assert.Multiple(() =>
        {
            Assert.That(number.Output.Trim(), Is.EqualTo("s \"int:-7\""), number.ToString());
            Assert.That(text.Output.Trim(), Is.EqualTo("s \"string:seven\""), text.ToString());
            Assert.That(repeated.Output.Trim(), Is.EqualTo("s \"repeat:ababab\""), repeated.ToString());
        });
    }

    [Test]
    public async Task GeneratedProxyCallsEachOverload()
    {
        var proxy = new OverloadsProxy(_client, Name, ObjectPathText);
        int before = _impl.Calls;
        Assert.Multiple(async () =>
        {
            Assert.That(await proxy.FrobAsync(42), Is.EqualTo("int:42"));
            Assert.That(await proxy.Frob2Async("x"), Is.EqualTo("string:x"));
            Assert.That(await proxy.Frob3Async("yz", 2), Is.EqualTo("repeat:yzyz"));
        });
        Assert.That(_impl.Calls, Is.EqualTo(before + 3));
    }

    [Test]
    public async Task AnotherSignatureGetsInvalidArgs()
    {
        int before = _impl.Calls;
        var wrong = await ExternalTool.RunAsync("busctl", $"--address={_bus.Address}", "call", Name, ObjectPathText, Interface, "Frob", "d", "1.5");
        Assert.Multiple(() =>
        {
            Assert.That(wrong.ExitCode, Is.Not.Zero, wrong.ToString());
            // busctl prints the error's message; the connection's names every accepted signature.
            Assert.That(wrong.Error, Does.Contain("'i' or 's' or 'su'").And.Contain("not 'd'"), wrong.ToString());
        });

        // The same through our own connection, where the error name is visible.
        var writer = MessageWriter.CreateMethodCall(Name, ObjectPathText, Interface, "Frob", "d");
        writer.WriteDouble(1.5);
        var call = writer.ToMessage();
        var error = Assert.ThrowsAsync<DBusInvalidArgsException>(() => _client.CallAsync(call));
        Assert.That(error!.ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.InvalidArgs"));
        Assert.That(_impl.Calls, Is.EqualTo(before), "no overload was called");
    }

    private sealed class OverloadsService : IOverloadsHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<string> FrobAsync(int number, MethodContext context) => Count("int:" + number);

        public ValueTask<string> Frob2Async(string text, MethodContext context) => Count("string:" + text);

        public ValueTask<string> Frob3Async(string text, uint times, MethodContext context) =>
            Count("repeat:" + string.Concat(Enumerable.Repeat(text, (int)times)));

        private ValueTask<string> Count(string result)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(result);
        }
    }
}

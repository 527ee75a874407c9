using DBusGen.Tests.Shared;

namespace DBus.Runtime.Tests.Bus;

/// <summary>
/// The dbus-python peer of tests/peers/python_service.py on a private bus (a <see cref="PythonPeer"/>): started, waited
/// for ("READY unique-name"), and stopped by closing its stdin.
/// </summary>
internal sealed class PythonService : IAsyncDisposable
{
    public const string DefaultName = "org.dbusgen.TestService";
    public const string Interface = "org.dbusgen.Test";
    public static readonly ObjectPath ObjectPath = new("/org/dbusgen/Test");

    private readonly PythonPeer _peer;

    private PythonService(PythonPeer peer) => _peer = peer;

    /// <summary>The service's unique name on the bus.</summary>
    public string UniqueName => _peer.Ready;

    /// <param name="address">The bus.</param>
    /// <param name="name">The name to own.</param>
    /// <param name="mute">Also export /org/dbusgen/Mute, an object that refuses Introspect.</param>
    public static async Task<PythonService> StartAsync(string address, string name = DefaultName, bool mute = false) =>
        new(await PythonPeer.StartAsync("python_service.py", null, mute ? [address, name, "--mute"] : [address, name]));

    public static Message Call(string member, string signature = "", string destination = DefaultName) =>
        MessageWriter.CreateMethodCall(destination, ObjectPath, Interface, member, new Signature(signature)).ToMessage();

    public ValueTask DisposeAsync() => _peer.DisposeAsync();
}

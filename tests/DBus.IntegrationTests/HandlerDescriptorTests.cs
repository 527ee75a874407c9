using System.IO.Pipes;
using DBusGen.Tests.Shared;
using DBus.IntegrationTests.Generated;

namespace DBus.IntegrationTests;

/// <summary>
/// A generated handler that returns a <see cref="UnixFd"/> hands it over: the dispatch closes it once the reply (which
/// carries a duplicate) is written. 2,000 calls over a real socket leave no descriptor open, with the GC kept from
/// running so no finalizer can be what closes them.
/// </summary>
[NonParallelizable]
public class HandlerDescriptorTests
{
    private const int Calls = 2000;

    [Test]
    public async Task Descriptors_a_generated_handler_returns_are_closed_once_the_reply_is_written()
    {
        var service = new AllTypesService();
        using var server = DBusServer.Listen("unix:tmpdir=/tmp", new DBusServerOptions
        {
            ConnectionAdded = (_, connection) => connection.Export("/org/example/Object", service),
        });
        using var client = await DBusConnection.ConnectAsync(server.Address, new DBusConnectionOptions { IsBus = false, EnableFds = true });
        var proxy = new AllTypesProxy(client, null!, "/org/example/Object");
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var writeEnd = UnixFd.Duplicate(pipe.ClientSafePipeHandle);
        await CallAsync(proxy, writeEnd, 10); // warm up: buffers, pools and lazily opened runtime descriptors
        int before = DescriptorCount.Current();

        using (new NoGCRegion())
        {
            await CallAsync(proxy, writeEnd, Calls);
            Assert.That(DescriptorCount.Current(), Is.LessThanOrEqualTo(before + 4), $"descriptors open after {Calls} calls returning one");
        }
    }

    private static async Task CallAsync(AllTypesProxy proxy, UnixFd fd, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var returned = await proxy.PassFdsAsync(fd, [fd]);
            Assert.That(returned.IsValid, Is.True);
        }
    }
}

using DBusGen.Tests.Shared;

namespace DBus.Runtime.Tests.Transport;

[NonParallelizable]
public class DescriptorLeakTests
{
    private const string Guid = "00112233445566778899aabbccddeeff";

    [Test]
    public async Task Many_connects_and_handshakes_good_and_bad_leave_no_descriptor_behind()
    {
        // One round first: the runtime opens its epoll and pipe descriptors lazily and keeps them.
        await OneRoundAsync();
        int before = CountDescriptors();
        for (int i = 0; i < 25; i++)
        {
            await OneRoundAsync();
        }
        int after = CountDescriptors();
        // At most as many: a finalizer of an earlier test may close something meanwhile.
        Assert.That(after, Is.LessThanOrEqualTo(before), "descriptors open before and after 25 rounds");
    }

    private static async Task OneRoundAsync()
    {
        using (var listener = TransportListener.Create("unix:abstract=dbusgen-leak-" + System.Guid.NewGuid().ToString("N"), Guid))
        {
            // A good handshake with descriptors.
            var accept = listener.AcceptAsync(CancellationToken.None).AsTask();
            var connected = await TransportConnector.ConnectAsync(listener.ConnectableAddress, CancellationToken.None);
            using (var client = connected.Transport)
            using (var server = await accept)
            {
                var serverAuth = SaslServer.AuthenticateAsync(server, new SaslServerOptions { Guid = Guid, UnixFdsSupported = true }, CancellationToken.None);
                var clientResult = await SaslClient.AuthenticateAsync(client, new SaslClientOptions { NegotiateUnixFds = true }, CancellationToken.None);
                var serverResult = await serverAuth;
                Assert.That(clientResult.UnixFdsEnabled && serverResult.UnixFdsEnabled, Is.True);
            }

            // A refused one.
            accept = listener.AcceptAsync(CancellationToken.None).AsTask();
            connected = await TransportConnector.ConnectAsync(listener.ConnectableAddress, CancellationToken.None);
            using (var client = connected.Transport)
            using (var server = await accept)
            {
                var serverAuth = SaslServer.AuthenticateAsync(server, new SaslServerOptions { Guid = Guid }, CancellationToken.None);
                Assert.ThrowsAsync<DBusAuthenticationException>(() => SaslClient.AuthenticateAsync(client, new SaslClientOptions { Mechanisms = ["ANONYMOUS"] }, CancellationToken.None));
                client.Dispose();
                Assert.ThrowsAsync<DBusAuthenticationException>(() => serverAuth);
            }
        }

        // Connections that fail, and a unixexec child.
        Assert.ThrowsAsync<DBusConnectionException>(() => TransportConnector.ConnectAsync("unix:path=/nonexistent/x;tcp:host=127.0.0.1,port=1", CancellationToken.None));
        using (var cat = (await TransportConnector.ConnectAsync("unixexec:path=/bin/cat", CancellationToken.None)).Transport)
        {
            await cat.SendAsync(new byte[] { 1 }, ReadOnlyMemory<int>.Empty, CancellationToken.None);
            Assert.That(await cat.ReceiveAsync(new byte[1], new Queue<UnixFd>(), CancellationToken.None), Is.EqualTo(1));
        }
    }

    private static int CountDescriptors() => DescriptorCount.Current();
}

using System.IO.Pipes;

namespace DBus.Runtime.Tests.Wire;

public class UnixFdTests
{
    [Test]
    public void Duplicate_owns_a_new_descriptor_that_reaches_the_same_pipe()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var fd = UnixFd.Duplicate(server.ClientSafePipeHandle);
        Assert.That(fd.DangerousGetDescriptor(), Is.Not.EqualTo((int)server.ClientSafePipeHandle.DangerousGetHandle()));

        using var stream = fd.ToStream(FileAccess.Read);
        Assert.That(fd.IsValid, Is.False, "ownership moved to the stream");
        server.Write([42]);
        server.Flush();
        Assert.That(stream.ReadByte(), Is.EqualTo(42));
    }

    [Test]
    public void Dispose_closes_the_descriptor()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = UnixFd.Duplicate(server.ClientSafePipeHandle);
        int raw = fd.DangerousGetDescriptor();
        fd.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(fd.IsValid, Is.False);
            Assert.That(() => fd.DangerousGetDescriptor(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(new FileInfo($"/proc/self/fd/{raw}").Exists || Directory.Exists($"/proc/self/fd/{raw}"), Is.False, "descriptor is closed");
        });
    }

    [Test]
    public void Release_hands_on_the_raw_descriptor()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = UnixFd.Duplicate(server.ClientSafePipeHandle);
        int raw = fd.Release();
        fd.Dispose();
        using var owned = UnixFd.FromOwnedDescriptor(raw);
        Assert.That(owned.DangerousGetDescriptor(), Is.EqualTo(raw), "still open after the first owner was disposed");
    }
}

using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DBus;

/// <summary>
/// A Unix file descriptor sent or received in a D-Bus message (type code <c>h</c>). It owns the descriptor
/// and closes it when disposed, unless ownership was handed on with <see cref="ToStream"/>,
/// <see cref="ToSocket"/>, <see cref="ToSafeHandle"/> or <see cref="Release"/>.
/// </summary>
/// <remarks>
/// On the wire a <c>h</c> value is an index into the descriptors that travel beside the message
/// (SCM_RIGHTS); the transport resolves that index to the descriptor this object wraps.
/// </remarks>
public sealed class UnixFd : IDisposable
{
    private SafeFileHandle? _handle;
    // The connection this descriptor was received on counts it as open (DBusConnectionOptions.MaxUnixFdsPerConnection)
    // until it is closed or handed on; null for descriptors made here.
    private UnixFdCounter? _counter;

    private UnixFd(SafeFileHandle handle) => _handle = handle;

    /// <summary>Takes ownership of a raw descriptor: it is closed when this object is disposed.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    public static UnixFd FromOwnedDescriptor(int fd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        return new UnixFd(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Duplicates the descriptor behind <paramref name="handle"/> (dup with close-on-exec); the caller keeps
    /// its handle and this object owns the duplicate.</summary>
    public static UnixFd Duplicate(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return FromOwnedDescriptor(DuplicateDescriptor((int)handle.DangerousGetHandle()));
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Duplicates a raw descriptor the caller keeps owning.</summary>
    public static UnixFd Duplicate(int fd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        return FromOwnedDescriptor(DuplicateDescriptor(fd));
    }

    /// <summary>Whether this object still owns an open descriptor.</summary>
    public bool IsValid => _handle is { IsInvalid: false, IsClosed: false };

    /// <summary>The raw descriptor number, still owned by this object.</summary>
    /// <exception cref="ObjectDisposedException">The descriptor was closed or handed on.</exception>
    public int DangerousGetDescriptor() => (int)Handle.DangerousGetHandle();

    /// <summary>Hands the descriptor on as a <see cref="SafeFileHandle"/>; this object no longer owns it.</summary>
    public SafeFileHandle ToSafeHandle()
    {
        var handle = Handle;
        _handle = null;
        CountOut();
        return handle;
    }

    /// <summary>Hands the descriptor on as a <see cref="Stream"/> (a pipe, file or socket); this object no longer owns it.</summary>
    public Stream ToStream(FileAccess access = FileAccess.ReadWrite) => new FileStream(ToSafeHandle(), access, bufferSize: 0);

    /// <summary>Hands the descriptor on as a <see cref="Socket"/>; this object no longer owns it.</summary>
    /// <exception cref="SocketException">The descriptor is not a socket (<see cref="SocketError.NotSocket"/>, ENOTSOCK,
    /// as Python's <c>socket.socket(fileno=…)</c> raises); this object still owns it then.</exception>
    public Socket ToSocket()
    {
        // Probe through a handle that does not own the descriptor: on a pipe or file the constructor fails, and the
        // descriptor must stay ours (not half handed to a socket that is never made) so Dispose still closes it.
        try
        {
            using var probe = new Socket(new SafeSocketHandle(Handle.DangerousGetHandle(), ownsHandle: false));
            _ = probe.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Type);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.NotSocket)
        {
            throw new SocketException((int)SocketError.NotSocket,
                $"descriptor {DangerousGetDescriptor()} is not a socket (ENOTSOCK): a {nameof(UnixFd)} becomes a Socket only when a socket was passed");
        }
        int fd = Release();
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>Hands the raw descriptor on; the caller must close it.</summary>
    public int Release()
    {
        var handle = ToSafeHandle();
        int fd = (int)handle.DangerousGetHandle();
        handle.SetHandleAsInvalid();
        return fd;
    }

    /// <summary>Closes the descriptor if this object still owns it.</summary>
    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        CountOut();
    }

    /// <inheritdoc/>
    public override string ToString() => IsValid ? $"UnixFd({DangerousGetDescriptor()})" : "UnixFd(closed)";

    /// <summary>Makes <paramref name="counter"/> count this descriptor until it is closed or handed on (by the receive
    /// path, before anyone else sees this object).</summary>
    internal void CountIn(UnixFdCounter counter) => _counter = counter;

    // Exactly once, whichever threads dispose or hand on at the same time.
    private void CountOut() => Interlocked.Exchange(ref _counter, null)?.Remove();

    private SafeFileHandle Handle => _handle is { IsClosed: false } h ? h : throw new ObjectDisposedException(nameof(UnixFd), "the descriptor was closed or handed on");

    private static int DuplicateDescriptor(int fd)
    {
        int dup = UnixFdInterop.DupCloseOnExec(fd, UnixFdInterop.FcntlDupFdCloexec, 3);
        if (dup < 0)
        {
            throw new IOException($"could not duplicate descriptor {fd}: errno {Marshal.GetLastPInvokeError()}");
        }
        return dup;
    }
}

internal static partial class UnixFdInterop
{
    public const int FcntlDupFdCloexec = 1030; // F_DUPFD_CLOEXEC on Linux

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int DupCloseOnExec(int fd, int command, int minimum);
}

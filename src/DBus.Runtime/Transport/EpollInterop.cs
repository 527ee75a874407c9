using System.Runtime.InteropServices;

namespace DBus.Transport;

/// <summary>
/// epoll, for <see cref="SocketReactor"/>. struct epoll_event is packed on x86-64 (12 bytes: the 64-bit data right
/// after the 32-bit events) and naturally aligned elsewhere (16 bytes), so events are read and written at offsets.
/// </summary>
internal static unsafe partial class EpollInterop
{
    public const uint EpollIn = 0x1;
    public const uint EpollOut = 0x4;
    public const uint EpollErr = 0x8;
    public const uint EpollHup = 0x10;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEdgeTriggered = 1u << 31;
    public const int EpollCloExec = 0x80000;
    public const int CtlAdd = 1;
    public const int CtlDel = 2;
    public const int CtlMod = 3;

    /// <summary>sizeof(struct epoll_event) on this machine.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static uint EventsAt(byte* events, int index) => *(uint*)(events + index * EventSize);

    public static ulong DataAt(byte* events, int index) => Unaligned<ulong>(events + index * EventSize + s_dataOffset);

    /// <summary>Adds <paramref name="fd"/> to <paramref name="epfd"/> for <paramref name="events"/>, tagged with
    /// <paramref name="data"/>; returns 0, or the errno.</summary>
    public static int Add(int epfd, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ev + s_dataOffset, data);
        return Ctl(epfd, CtlAdd, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Sets <paramref name="fd"/>'s events again: with edge triggering, an event is raised at once if the
    /// socket is ready already. Returns 0, or the errno.</summary>
    public static int Modify(int epfd, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ev + s_dataOffset, data);
        return Ctl(epfd, CtlMod, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Removes <paramref name="fd"/>; returns 0, or the errno.</summary>
    public static int Remove(int epfd, int fd)
    {
        byte* ev = stackalloc byte[16]; // kernels before 2.6.9 wanted one even for DEL
        return Ctl(epfd, CtlDel, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static T Unaligned<T>(byte* p) where T : unmanaged => System.Runtime.CompilerServices.Unsafe.ReadUnaligned<T>(p);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int Create(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int Ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int Wait(int epfd, byte* events, int maxEvents, int timeoutMilliseconds);
}

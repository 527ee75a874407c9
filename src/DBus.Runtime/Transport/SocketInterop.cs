using System.Runtime.InteropServices;

namespace DBus.Transport;

/// <summary>
/// The libc calls .NET's Socket does not offer: sendmsg/recvmsg with SCM_RIGHTS control data, poll for writability,
/// socketpair and geteuid. Linux layouts (glibc and musl agree on them for the fields used here).
/// </summary>
internal static unsafe partial class SocketInterop
{
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int SoPeerCred = 17;
    public const int MsgCTrunc = 0x8;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int MsgCMsgCloExec = 0x40000000;
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloExec = 0x80000;
    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const short PollErr = 0x8;
    public const short PollHup = 0x10;
    public const int EIntr = 4;
    public const int EAgain = 11;

    /// <summary>The most descriptors Linux passes in one message (SCM_MAX_FD).</summary>
    public const int MaxFdsPerMessage = 253;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CMsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary>CMSG_ALIGN: control data is aligned to the size of size_t.</summary>
    public static int CMsgAlign(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    /// <summary>CMSG_LEN: header plus <paramref name="dataLength"/> bytes of data.</summary>
    public static int CMsgLength(int dataLength) => CMsgAlign(sizeof(CMsgHdr)) + dataLength;

    /// <summary>CMSG_SPACE: the room one control message with <paramref name="dataLength"/> bytes takes.</summary>
    public static int CMsgSpace(int dataLength) => CMsgAlign(sizeof(CMsgHdr)) + CMsgAlign(dataLength);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    /// <summary>The text of an errno value, for exception messages.</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}

using DBus.IntegrationTests.Generated;

namespace DBus.IntegrationTests;

/// <summary>The generated handler implemented as a user would: echoes, a method that fails, one that completes
/// asynchronously, and plain properties.</summary>
internal sealed class AllTypesService : IAllTypesHandler
{
    public double Volume { get; set; } = 0.25;
    public Dictionary<string, Variant> Tags { get; set; } = new() { ["mood"] = "calm" };
    public string? LastSecret { get; private set; }
    public TaskCompletionSource<uint> Pinged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public string? LastSender { get; private set; }

    public ValueTask<(byte Y, bool B, short N, ushort Q, int I, uint U, long X, ulong T, double D, string S, ObjectPath O, Signature G, Variant V)> EchoBasicsAsync(
        byte y, bool b, short n, ushort q, int i, uint u, long x, ulong t, double d, string s, ObjectPath o, Signature g, Variant v, MethodContext context) =>
        new((y, b, n, q, i, u, x, t, d, s, o, g, v));

    public ValueTask<(byte[] Ay, bool[] Ab, short[] An, ushort[] Aq, int[] Ai, uint[] Au, long[] Ax, ulong[] At, double[] Ad, string[] As, ObjectPath[] Ao)> EchoFixedArraysAsync(
        byte[] ay, bool[] ab, short[] an, ushort[] aq, int[] ai, uint[] au, long[] ax, ulong[] at, double[] ad, string[] @as, ObjectPath[] ao, MethodContext context) =>
        new((ay, ab, an, aq, ai, au, ax, at, ad, @as, ao));

    public ValueTask<(Signature[] Ag, Variant[] Av, int[][] Aai, string[][] Aas, (string, int)[] Structs, (string, (int, int)[])[] Nested)> EchoArraysAsync(
        Signature[] ag, Variant[] av, int[][] aai, string[][] aas, (string, int)[] structs, (string, (int, int)[])[] nested, MethodContext context) =>
        new((ag, av, aai, aas, structs, nested));

    public ValueTask<(Dictionary<string, Variant> Sv, Dictionary<byte, string> Ys, Dictionary<long, string[]> Xas,
        Dictionary<ObjectPath, Dictionary<string, Dictionary<string, Variant>>> Deep, Dictionary<uint, (string, double)> Structs, Dictionary<Signature, bool> Keys)> EchoDictsAsync(
        Dictionary<string, Variant> sv, Dictionary<byte, string> ys, Dictionary<long, string[]> xas,
        Dictionary<ObjectPath, Dictionary<string, Dictionary<string, Variant>>> deep, Dictionary<uint, (string, double)> structs, Dictionary<Signature, bool> keys, MethodContext context) =>
        new((sv, ys, xas, deep, structs, keys));

    public ValueTask<(ValueTuple<int> Single, (string, int) Pair, ((string, int), ValueTuple<int[]>, Variant) Nested, (byte, bool, short, ushort, int, uint, long, ulong, double, string, ObjectPath, Signature, Variant) Big)> EchoStructsAsync(
        ValueTuple<int> single, (string, int) pair, ((string, int), ValueTuple<int[]>, Variant) nested,
        (byte, bool, short, ushort, int, uint, long, ulong, double, string, ObjectPath, Signature, Variant) big, MethodContext context) =>
        new((single, pair, nested, big));

    public async ValueTask<int> AnswerAsync(string question, MethodContext context)
    {
        LastSender = context.Sender;
        switch (question)
        {
            case "refuse":
                throw new DBusException("org.example.Error.Refused", "not that question");
            case "later":
                // Completes asynchronously: the reply goes out through the awaiting path.
                await Task.Yield();
                return 43;
            default:
                return 42;
        }
    }

    // The handler owns the descriptors it is given; the one it returns is closed by the dispatch after the reply.
    public ValueTask<UnixFd> PassFdsAsync(UnixFd fd, UnixFd[] more, MethodContext context)
    {
        foreach (var extra in more)
        {
            extra.Dispose();
        }
        return new(fd);
    }

    public ValueTask PingAsync(uint flags, MethodContext context)
    {
        Pinged.TrySetResult(flags);
        return default;
    }

    public double GetVolume() => Volume;

    public void SetVolume(double value)
    {
        if (value < 0)
        {
            throw new DBusException("org.freedesktop.DBus.Error.InvalidArgs", "Volume must not be negative");
        }
        Volume = value;
    }

    public string GetTitle() => "All types";

    public Dictionary<string, Variant> GetTags() => Tags;

    public void SetTags(Dictionary<string, Variant> value) => Tags = value;

    public void SetSecret(string value) => LastSecret = value;
}

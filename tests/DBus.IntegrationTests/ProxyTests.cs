using System.Diagnostics;
using System.IO.Pipes;
using DBus.IntegrationTests.Generated;
using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.IntegrationTests;

/// <summary>
/// The generated <c>TestProxy</c> (dbus/org.dbusgen.Test.xml) against the dbus-python service
/// tests/peers/python_service.py on a private dbus-daemon: every echo type, errors, signals in both forms,
/// descriptors both ways, and a NoReply call.
/// </summary>
[NonParallelizable]
public class ProxyTests
{
    private const string ServiceName = "org.dbusgen.TestService";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private PrivateBus _bus = null!;
    private Process _service = null!;
    private DBusConnection _connection = null!;
    private TestProxy _proxy = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { Path.Combine(RepositoryPaths.Root, "tests", "peers", "python_service.py"), _bus.Address },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _service = Process.Start(start)!;
        string? ready = await _service.StandardOutput.ReadLineAsync().WaitAsync(s_timeout);
        if (ready is null || !ready.StartsWith("READY :", StringComparison.Ordinal))
        {
            // The service exited: its stderr is complete and says why.
            Assert.Fail($"the python service did not start ({ready}): {await _service.StandardError.ReadToEndAsync()}");
        }
        _connection = await DBusConnection.ConnectAsync(_bus.Address, new DBusConnectionOptions { EnableFds = true });
        _proxy = new TestProxy(_connection, ServiceName, "/org/dbusgen/Test");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        try
        {
            if (_proxy is not null && !_service.HasExited)
            {
                // Quit is annotated NoReply in our XML: the proxy only sends it, and the service's exit proves it arrived.
                await _proxy.QuitAsync();
                using var cts = new CancellationTokenSource(s_timeout);
                await _service.WaitForExitAsync(cts.Token);
            }
        }
        finally
        {
            if (!_service.HasExited)
            {
                _service.Kill();
            }
            _service.Dispose();
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
            await _bus.DisposeAsync();
        }
    }

    [Test]
    public void ProxyExposesItsTarget()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_proxy.Connection, Is.SameAs(_connection));
            Assert.That(_proxy.Destination, Is.EqualTo(ServiceName));
            Assert.That(_proxy.Path, Is.EqualTo(new ObjectPath("/org/dbusgen/Test")));
            Assert.That(_proxy.Messages.Destination, Is.EqualTo(ServiceName));
        });
    }

    [Test]
    public async Task EchoesBasicTypes()
    {
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await _proxy.EchoYAsync(0xfe), Is.EqualTo((byte)0xfe));
            Assert.That(await _proxy.EchoBAsync(true), Is.True);
            Assert.That(await _proxy.EchoNAsync(short.MinValue), Is.EqualTo(short.MinValue));
            Assert.That(await _proxy.EchoQAsync(ushort.MaxValue), Is.EqualTo(ushort.MaxValue));
            Assert.That(await _proxy.EchoIAsync(-123456), Is.EqualTo(-123456));
            Assert.That(await _proxy.EchoUAsync(uint.MaxValue), Is.EqualTo(uint.MaxValue));
            Assert.That(await _proxy.EchoXAsync(long.MinValue), Is.EqualTo(long.MinValue));
            Assert.That(await _proxy.EchoTAsync(ulong.MaxValue), Is.EqualTo(ulong.MaxValue));
            Assert.That(await _proxy.EchoDAsync(-2.5e300), Is.EqualTo(-2.5e300));
            Assert.That(await _proxy.EchoSAsync("héllo \u2603"), Is.EqualTo("héllo \u2603"));
            Assert.That(await _proxy.EchoOAsync("/a/b_c/d1"), Is.EqualTo(new ObjectPath("/a/b_c/d1")));
            Assert.That((await _proxy.EchoGAsync(new Signature("a{sv}(ih)"))).Value, Is.EqualTo("a{sv}(ih)"));
            Assert.That(await _proxy.EchoVAsync(new Variant(42)), Is.EqualTo(new Variant(42)));
            Assert.That(await _proxy.EchoVAsync(new Variant("text")), Is.EqualTo(new Variant("text")));
            Assert.That(await _proxy.EchoVariantAsync(new Variant(1.5)), Is.EqualTo(new Variant(1.5)));
        });
    }

    [Test]
    public async Task EchoesArrays()
    {
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await _proxy.EchoAiAsync([1, -2, int.MaxValue]), Is.EqualTo(new[] { 1, -2, int.MaxValue }));
            Assert.That(await _proxy.EchoAyAsync([0, 1, 255]), Is.EqualTo(new byte[] { 0, 1, 255 }));
            Assert.That(await _proxy.EchoAsAsync(["a", "", "c"]), Is.EqualTo(new[] { "a", "", "c" }));
            Assert.That(await _proxy.EchoAoAsync([new("/x"), new("/y/z")]), Is.EqualTo(new ObjectPath[] { new("/x"), new("/y/z") }));
            Assert.That(await _proxy.EchoAdAsync([0.5, -1]), Is.EqualTo(new[] { 0.5, -1 }));
            Assert.That(await _proxy.EchoAxAsync([long.MaxValue, 0]), Is.EqualTo(new[] { long.MaxValue, 0 }));
            Assert.That(await _proxy.EchoAbAsync([true, false, true]), Is.EqualTo(new[] { true, false, true }));
            Assert.That(await _proxy.EchoAiAsync([]), Is.Empty);
            Assert.That(await _proxy.EchoAaiAsync([[1, 2], [], [3]]), Is.EqualTo(new[] { new[] { 1, 2 }, [], new[] { 3 } }));
            Assert.That(await _proxy.EchoAavAsync([[new Variant(1), new Variant("s")], []]),
                Is.EqualTo(new[] { new[] { new Variant(1), new Variant("s") }, [] }));
        });
    }

    [Test]
    public async Task EchoesDictionariesAndStructs()
    {
        var asv = new Dictionary<string, Variant> { ["n"] = new Variant(7u), ["s"] = new Variant("v"), ["d"] = new Variant(0.25) };
        var ais = new Dictionary<int, string> { [-1] = "minus", [2] = "two" };
        var nested = new Dictionary<string, (int, Variant)[]> { ["k"] = [(1, new Variant("x")), (2, new Variant(3L))], ["empty"] = [] };
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await _proxy.EchoAsvAsync(asv), Is.EqualTo(asv));
            Assert.That(await _proxy.EchoAisAsync(ais), Is.EqualTo(ais));
            Assert.That(await _proxy.EchoStructAsync((5, "five", new Variant(true))), Is.EqualTo((5, "five", new Variant(true))));
            Assert.That(await _proxy.EchoAstructAsync([("a", new Variant(1)), ("b", new Variant("c"))]),
                Is.EqualTo(new[] { ("a", new Variant(1)), ("b", new Variant("c")) }));
            var echoedNested = await _proxy.EchoNestedAsync(nested);
            Assert.That(echoedNested.Keys, Is.EquivalentTo(nested.Keys));
            Assert.That(echoedNested["k"], Is.EqualTo(nested["k"]));
            Assert.That(echoedNested["empty"], Is.Empty);
            Assert.That(await _proxy.EchoTuple3Async((9, true, -9)), Is.EqualTo(((byte)9, true, (short)-9)));
            var deep = (1, ("s", (2.5, new ValueTuple<ObjectPath>(new ObjectPath("/deep")))));
            Assert.That(await _proxy.EchoDeepAsync(deep), Is.EqualTo(deep));
        });
    }

    [Test]
    public async Task ErrorRepliesThrowTypedExceptions()
    {
        var invalid = Assert.ThrowsAsync<DBusInvalidArgsException>(() => _proxy.RaiseAsync(DBusErrorNames.InvalidArgs, "bad argument"));
        Assert.That(invalid!.ErrorMessage, Is.EqualTo("bad argument"));

        var custom = Assert.ThrowsAsync<DBusException>(() => _proxy.RaiseAsync("org.dbusgen.Error.Custom", "custom text"));
        Assert.Multiple(() =>
        {
            Assert.That(custom!.GetType(), Is.EqualTo(typeof(DBusException)));
            Assert.That(custom.ErrorName, Is.EqualTo("org.dbusgen.Error.Custom"));
            Assert.That(custom.ErrorMessage, Is.EqualTo("custom text"));
        });

        // The proxy still works after errors.
        Assert.That(await _proxy.EchoIAsync(1), Is.EqualTo(1));
    }

    [Test]
    public void CancelledCallEndsAsCancelled()
    {
        using var cts = new CancellationTokenSource();
        var call = _proxy.SleepAsync(5, cts.Token);
        cts.Cancel();
        Assert.That(async () => await call.WaitAsync(s_timeout), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task WatchDeliversSignalsUntilDisposed()
    {
        var first = new TaskCompletionSource<(string Value, uint Count)>(TaskCreationOptions.RunContinuationsAsynchronously);
        int firstCalls = 0;
        var subscription = await _proxy.WatchPingedAsync(p =>
        {
            Interlocked.Increment(ref firstCalls);
            first.TrySetResult(p);
        });
        await _proxy.EmitAsync("watch-1");
        var received = await first.Task.WaitAsync(s_timeout);
        Assert.That(received.Value, Is.EqualTo("watch-1"));
        Assert.That(received.Count, Is.GreaterThan(0u));

        subscription.Dispose();
        // A second receiver sees the next signal; receivers of one signal run in one dispatch pass, so had the
        // first one still been subscribed it would have been called before this completes.
        var second = new TaskCompletionSource<(string Value, uint Count)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var again = await _proxy.WatchPingedAsync(p => second.TrySetResult(p));
        await _proxy.EmitAsync("watch-2");
        var next = await second.Task.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(next.Value, Is.EqualTo("watch-2"));
            Assert.That(next.Count, Is.EqualTo(received.Count + 1));
            Assert.That(Volatile.Read(ref firstCalls), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ReadYieldsSignalsInOrder()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var signals = _proxy.ReadPingedAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        // The first MoveNextAsync subscribes, and nothing tells when that is done: emit (each call awaited,
        // so one at a time) until a signal comes through.
        var first = signals.MoveNextAsync().AsTask();
        for (int i = 0; !first.IsCompleted && i < 100; i++)
        {
            await _proxy.EmitAsync("read-probe");
        }
        Assert.That(await first, Is.True);
        Assert.That(signals.Current.Value, Is.EqualTo("read-probe"));

        await _proxy.EmitAsync("read-a");
        await _proxy.EmitAsync("read-b");
        var values = new List<(string Value, uint Count)>();
        while (await signals.MoveNextAsync())
        {
            if (signals.Current.Value != "read-probe")
            {
                values.Add(signals.Current);
            }
            if (signals.Current.Value == "read-b")
            {
                break;
            }
        }
        Assert.That(values.Select(v => v.Value), Is.EqualTo(new[] { "read-a", "read-b" }));
        Assert.That(values[1].Count, Is.EqualTo(values[0].Count + 1));
    }

    [Test]
    public async Task PassesDescriptorsBothWays()
    {
        using (var pipe = await _proxy.MakePipeAsync("from python"))
        using (var reader = new StreamReader(pipe.ToStream(FileAccess.Read)))
        {
            Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("from python"));
        }

        // The call sends a duplicate; the caller keeps (and disposes) its own descriptor.
        using (var toPython = MakePipe("to python"))
        {
            Assert.That(await _proxy.ReadFdAsync(toPython), Is.EqualTo("to python"));
        }

        using var roundTrip = MakePipe("round trip");
        using var echoed = await _proxy.EchoHAsync(roundTrip);
        using var echoedReader = new StreamReader(echoed.ToStream(FileAccess.Read));
        Assert.That(await echoedReader.ReadToEndAsync(), Is.EqualTo("round trip"));
    }

    [Test]
    public async Task PropertiesChangedIsWatchedAndReadForItsInterfaceOnly()
    {
        // A second connection plays the service: it owns the name and emits PropertiesChanged by hand.
        await using var service = await DBusConnection.ConnectAsync(_bus.Address);
        await service.RequestNameAsync("org.example.Service");
        var proxy = new AllTypesProxy(_connection, "org.example.Service", "/org/example/Object");

        var failures = new List<Exception>();
        Action<DBusConnection, Exception> onFailure = (_, e) => { lock (failures) { failures.Add(e); } };
        _connection.CallbackFailed += onFailure;
        var watched = new TaskCompletionSource<(AllTypesProperties Changed, string[] Invalidated)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await proxy.WatchPropertiesChangedAsync((changed, invalidated) => watched.TrySetResult((changed, invalidated)));
        using var cts = new CancellationTokenSource(s_timeout);
        await using var read = proxy.ReadPropertiesChangedAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var first = read.MoveNextAsync().AsTask();

        // arg0 filters out other interfaces (the handler would see them first, as signals arrive in order).
        service.Send(PropertiesChanged("org.example.Other", new() { ["Title"] = "other" }, []));
        service.Send(PropertiesChanged("org.example.AllTypes", new() { ["Title"] = "new title", ["Volume"] = 0.5 }, ["Tags"]));
        var (changed, invalidated) = await watched.Task.WaitAsync(s_timeout);
        Assert.Multiple(() =>
        {
            Assert.That(changed.Title, Is.EqualTo("new title"));
            Assert.That(changed.Volume, Is.EqualTo(0.5));
            Assert.That(changed.Tags, Is.Null);
            Assert.That(invalidated, Is.EqualTo(new[] { "Tags" }));
            // Had arg0 let "org.example.Other" through, reading it would have failed (and been reported) first.
            lock (failures)
            {
                Assert.That(failures, Is.Empty);
            }
        });
        _connection.CallbackFailed -= onFailure;

        // The enumeration subscribes on its first MoveNextAsync: send until one arrives, as in ReadYieldsSignalsInOrder.
        for (int i = 0; !first.IsCompleted && i < 100; i++)
        {
            service.Send(PropertiesChanged("org.example.AllTypes", new() { ["Title"] = "probe" }, []));
            await service.GetBusIdAsync(cts.Token); // a round trip: the signal before it has been routed
            await _connection.GetBusIdAsync(cts.Token);
        }
        Assert.That(await first, Is.True);
        // The queue may have been subscribed in time for the first signal of this interface, never for the other's.
        Assert.That(read.Current.Changed.Title, Is.AnyOf("new title", "probe"));
    }

    private static Message PropertiesChanged(string iface, Dictionary<string, Variant> changed, string[] invalidated)
    {
        var writer = MessageWriter.CreateSignal("/org/example/Object", "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as");
        writer.WriteString(iface);
        writer.WriteDictionary(changed);
        writer.WriteArray(invalidated);
        return writer.ToMessage();
    }

    /// <summary>The read end of a pipe that holds <paramref name="text"/> and whose write end is closed.</summary>
    private static UnixFd MakePipe(string text)
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = UnixFd.Duplicate(server.ClientSafePipeHandle);
        server.DisposeLocalCopyOfClientHandle();
        server.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return fd;
    }
}

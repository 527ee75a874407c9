using System.Diagnostics;
using System.IO.Pipes;
using DBus.IntegrationTests.Generated;
using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.IntegrationTests;

/// <summary>
/// The generated <c>TestProxy</c> (dbus/org.dbusgen.Test.xml) against the dbus-python service
/// tests/peers/python_service.py on a private dbus-daemon: every echo type, errors, signals in both forms,
/// descriptors both ways, a NoReply call, and the proxy's reply timeout.
/// </summary>
[NonParallelizable]
public class ProxyTests
{
    private const string ServiceName = "org.dbusgen.TestService";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private PrivateBus _bus = null!;
    private PythonPeer _service = null!;
    private DBusConnection _connection = null!;
    private TestProxy _proxy = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        _service = await PythonPeer.StartAsync("python_service.py", null, _bus.Address);
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
            await _service.DisposeAsync();
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
    public async Task ReadYieldsSignalsSentBeforeTheFirstIterationInOrder()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        // The match is in place when the await completes: signals emitted before anyone iterates are queued.
        await using var pinged = await _proxy.ReadPingedAsync(cancellationToken: cts.Token);
        await _proxy.EmitAsync("read-a");
        await _proxy.EmitAsync("read-b");
        await _proxy.EmitAsync("read-c");

        var values = new List<(string Value, uint Count)>();
        await foreach (var p in pinged.WithCancellation(cts.Token))
        {
            values.Add(p);
            if (p.Value == "read-c")
            {
                break;
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(values.Select(v => v.Value), Is.EqualTo(new[] { "read-a", "read-b", "read-c" }));
            Assert.That(values[1].Count, Is.EqualTo(values[0].Count + 1));
            Assert.That(values[2].Count, Is.EqualTo(values[1].Count + 1));
            Assert.That(pinged.DroppedCount, Is.Zero);
            Assert.That(pinged.SkippedCount, Is.Zero);
        });

        // Leaving the loop keeps the match: the stream is read again until it is disposed.
        await _proxy.EmitAsync("read-d");
        Assert.That((await pinged.ReceiveAsync(cts.Token)).Value, Is.EqualTo("read-d"));
    }

    [Test]
    public async Task ReadSkipsAndReportsAMalformedSignalAndGoesOn()
    {
        var failures = new List<Exception>();
        Action<DBusConnection, Exception> onFailure = (_, e) => { lock (failures) { failures.Add(e); } };
        _connection.CallbackFailed += onFailure;
        try
        {
            using var cts = new CancellationTokenSource(s_timeout);
            await using var pinged = await _proxy.ReadPingedAsync(cancellationToken: cts.Token);
            await _proxy.EmitAsync("before");
            await _proxy.EmitMalformedAsync("bad");   // Pinged with body 's' instead of 'su'
            await _proxy.EmitAsync("after");

            var values = new List<string>();
            await foreach (var p in pinged.WithCancellation(cts.Token))
            {
                values.Add(p.Value);
                if (p.Value == "after")
                {
                    break;
                }
            }
            Assert.Multiple(() =>
            {
                Assert.That(values, Is.EqualTo(new[] { "before", "after" }));
                Assert.That(pinged.SkippedCount, Is.EqualTo(1));
                lock (failures)
                {
                    Assert.That(failures, Has.Count.EqualTo(1));
                    Assert.That(failures[0], Is.InstanceOf<DBusException>());
                    Assert.That(((DBusException)failures[0]).ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.InvalidSignature"));
                    Assert.That(failures[0].Message, Does.Contain("'su'").And.Contain("'s'"));
                }
            });
        }
        finally
        {
            _connection.CallbackFailed -= onFailure;
        }
    }

    [Test]
    public async Task DisposingTheStreamEndsItsEnumeration()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var pinged = await _proxy.ReadPingedAsync(cancellationToken: cts.Token);
        var enumeration = Task.Run(async () =>
        {
            int count = 0;
            await foreach (var _ in pinged.WithCancellation(cts.Token))
            {
                count++;
            }
            return count;
        });
        await _proxy.EmitAsync("end-1");
        // Disposal ends the enumeration normally (no exception), whether or not the signal was read first.
        await pinged.DisposeAsync();
        Assert.That(await enumeration.WaitAsync(s_timeout), Is.InRange(0, 1));
        Assert.That(async () => await pinged.ReceiveAsync(cts.Token), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task ProxyTimeoutEndsASlowCallQuickly()
    {
        var quick = _proxy.WithTimeout(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<DBusNoReplyException>(() => quick.SleepAsync(5));
        watch.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorName, Is.EqualTo(DBusErrorNames.NoReply));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "the 200 ms timeout, not the 5 s sleep, ended the call");
            Assert.That(quick.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(_proxy.Timeout, Is.Null, "WithTimeout returns a copy");
        });

        // A timeout long enough lets the same slow method answer; the init form sets it at construction.
        var patient = new TestProxy(_connection, ServiceName, "/org/dbusgen/Test") { Timeout = TimeSpan.FromSeconds(10) };
        await patient.SleepAsync(0.3);
        Assert.That(await quick.EchoIAsync(7), Is.EqualTo(7), "the short timeout still allows quick calls");

        Assert.Multiple(() =>
        {
            Assert.That(() => _proxy.WithTimeout(TimeSpan.Zero), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => _proxy.WithTimeout(TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(_proxy.WithTimeout(Timeout.InfiniteTimeSpan).Timeout, Is.EqualTo(Timeout.InfiniteTimeSpan));
        });
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
        await using var read = await proxy.ReadPropertiesChangedAsync(cancellationToken: cts.Token);

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

        // The stream was subscribed before both signals were sent: it holds exactly the one about this interface.
        var streamed = await read.ReceiveAsync(cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(streamed.Changed.Title, Is.EqualTo("new title"));
            Assert.That(streamed.Invalidated, Is.EqualTo(new[] { "Tags" }));
            Assert.That(read.Count, Is.Zero);
            Assert.That(read.SkippedCount, Is.Zero);
        });
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

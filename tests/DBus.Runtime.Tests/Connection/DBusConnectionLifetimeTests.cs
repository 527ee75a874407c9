namespace DBus.Runtime.Tests.Connection;

[TestFixture]
public class DBusConnectionLifetimeTests
{
    [Test]
    public async Task When_the_peer_goes_away_every_pending_call_fails_at_once()
    {
        var pair = PeerPair.Create();
        pair.ServeEcho();
        var calls = Enumerable.Range(0, 10).Select(_ => pair.Client.CallAsync(PeerPair.Call("Swallow"), Timeout.InfiniteTimeSpan)).ToArray();
        await pair.Client.FlushAsync().WaitAsync(PeerPair.Timeout);
        await pair.Server.DisposeAsync();
        foreach (var call in calls)
        {
            Assert.ThrowsAsync<DBusDisconnectedException>(() => call.WaitAsync(PeerPair.Timeout));
        }
        Assert.That(pair.Client.IsConnected, Is.False);
        Assert.ThrowsAsync<DBusDisconnectedException>(() => pair.Client.CallAsync(PeerPair.Echo("late")).WaitAsync(PeerPair.Timeout));
        await pair.Client.DisposeAsync();
    }

    [Test]
    public async Task An_error_handler_that_throws_on_disconnection_is_reported_and_other_calls_still_fail()
    {
        var pair = PeerPair.Create();
        pair.ServeEcho();
        var bug = new InvalidOperationException("the error handler has a bug");
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.CallbackFailed += (_, e) => reported.TrySetResult(e);
        var handlerRan = new TaskCompletionSource<DBusException>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Registered first, so the disconnection reaches it before the call behind it.
        pair.Client.StartCall(PeerPair.Call("Swallow"), _ => { }, e => { handlerRan.TrySetResult(e); throw bug; }, Timeout.InfiniteTimeSpan);
        var behind = pair.Client.CallAsync(PeerPair.Call("Swallow"), Timeout.InfiniteTimeSpan);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.CallOnDisconnection((_, _) => disconnected.TrySetResult());
        await pair.Client.FlushAsync().WaitAsync(PeerPair.Timeout);

        await pair.Server.DisposeAsync();

        Assert.That(await handlerRan.Task.WaitAsync(PeerPair.Timeout), Is.TypeOf<DBusDisconnectedException>());
        Assert.ThrowsAsync<DBusDisconnectedException>(() => behind.WaitAsync(PeerPair.Timeout));
        Assert.That(await reported.Task.WaitAsync(PeerPair.Timeout), Is.SameAs(bug));
        await disconnected.Task.WaitAsync(PeerPair.Timeout);
        await pair.Client.DisposeAsync();
    }

    [Test]
    public async Task An_error_handler_that_throws_on_timeout_is_reported_not_thrown_on_the_timer_thread()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var bug = new InvalidOperationException("the error handler has a bug");
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.CallbackFailed += (_, e) => reported.TrySetResult(e);

        pair.Client.StartCall(PeerPair.Call("Swallow"), _ => { }, _ => throw bug, TimeSpan.FromMilliseconds(50));

        // Unreported, the exception would escape on the timer's thread and end the process.
        Assert.That(await reported.Task.WaitAsync(PeerPair.Timeout), Is.SameAs(bug));
        using var reply = await pair.Client.CallAsync(PeerPair.Echo("still here")).WaitAsync(PeerPair.Timeout);
        Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("still here"));
    }

    [Test]
    public async Task Disconnection_handlers_run_once_and_late_ones_at_once()
    {
        var pair = PeerPair.Create();
        int calls = 0;
        var ran = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.CallOnDisconnection((_, reason) => { Interlocked.Increment(ref calls); ran.TrySetResult(reason); });
        await pair.Server.DisposeAsync();
        Assert.That(await ran.Task.WaitAsync(PeerPair.Timeout), Is.TypeOf<DBusDisconnectedException>());
        Exception? late = null;
        pair.Client.CallOnDisconnection((_, reason) => late = reason);
        Assert.That(late, Is.TypeOf<DBusDisconnectedException>());
        await pair.Client.DisposeAsync();
        pair.Client.Dispose();
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task Malformed_bytes_from_the_peer_close_the_connection_with_the_reason()
    {
        await using var pair = PeerPair.Create();
        pair.ServeEcho();
        var call = pair.Client.CallAsync(PeerPair.Call("Swallow"), Timeout.InfiniteTimeSpan);
        // A fixed header with byte order 'X': no D-Bus peer sends that.
        await pair.ClientTransport.InjectAsync("X\u0001\0\u0001\0\0\0\0\u0001\0\0\0\0\0\0\0"u8.ToArray());
        var e = Assert.ThrowsAsync<DBusDisconnectedException>(() => call.WaitAsync(PeerPair.Timeout));
        Assert.That(e!.InnerException, Is.TypeOf<DBusProtocolException>());
        Assert.That(e.Message, Does.Contain("malformed"));
    }

    [Test]
    public async Task Dispose_from_inside_a_callback_does_not_hang()
    {
        await using var pair = PeerPair.Create();
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await pair.Client.AddSignalReceiverAsync(new MatchRule { Member = "Bye" }, s =>
        {
            s.Connection.Dispose();
            disposed.SetResult();
        });
        pair.Server.Send(PeerPair.Signal("Bye", "x"));
        await disposed.Task.WaitAsync(PeerPair.Timeout);
        Assert.That(pair.Client.IsConnected, Is.False);
    }

    [Test]
    public async Task A_message_stream_passes_every_message_through_and_numbers_what_it_sends()
    {
        var (a, b) = PeerPair.CreateStreams();
        await using (a)
        await using (b)
        {
            uint s1 = await a.SendAsync(PeerPair.Signal("One", "1"));
            uint s2 = await a.SendAsync(PeerPair.Call("Two"));
            using var first = await b.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
            using var second = await b.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
            Assert.That((first.Member, first.Serial, second.Member, second.Serial), Is.EqualTo(("One", s1, "Two", s2)));
            Assert.That(s2, Is.EqualTo(s1 + 1));
        }
    }

    [Test]
    public async Task A_message_stream_receives_a_big_message_in_pieces()
    {
        var (a, b) = PeerPair.CreateStreams();
        await using (a)
        await using (b)
        {
            var writer = MessageWriter.CreateSignal(new ObjectPath("/big"), "org.test.Iface", "Big", new Signature("ay"));
            var payload = Enumerable.Range(0, 1_000_000).Select(i => (byte)i).ToArray();
            writer.WriteArray(payload);
            // Receive while sending: the message is bigger than what the transport buffers.
            var receive = b.ReceiveAsync().AsTask();
            await a.SendAsync(writer.ToMessage()).AsTask().WaitAsync(PeerPair.Timeout);
            using var big = await receive.WaitAsync(PeerPair.Timeout);
            Assert.That(big.GetBodyReader().ReadArrayOfByte(), Is.EqualTo(payload));
        }
    }

    [Test]
    public async Task Descriptors_travel_with_their_message()
    {
        var (a, b) = PeerPair.CreateStreams();
        await using (a)
        await using (b)
        {
            var path = Path.GetTempFileName();
            try
            {
                await File.WriteAllTextAsync(path, "through the stream");
                using (var file = File.OpenHandle(path))
                {
                    var writer = MessageWriter.CreateSignal(new ObjectPath("/fd"), "org.test.Iface", "Fd", new Signature("h"));
                    writer.WriteUnixFd(file);
                    await a.SendAsync(writer.ToMessage());
                }
                using var message = await b.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
                using var fd = message.GetBodyReader().ReadUnixFd();
                using var reader = new StreamReader(fd.ToStream(FileAccess.Read));
                Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("through the stream"));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Test]
    public async Task Sending_a_message_whose_descriptor_was_taken_fails_clearly_and_the_stream_lives_on()
    {
        var (a, b) = PeerPair.CreateStreams();
        await using (a)
        await using (b)
        {
            using (var source = UnixFd.Duplicate(0))
            {
                var writer = MessageWriter.CreateSignal(new ObjectPath("/fd"), "org.test.Iface", "Fd", new Signature("h"));
                writer.WriteUnixFd(source);
                await a.SendAsync(writer.ToMessage());
            }
            var received = await b.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
            using (received.GetBodyReader().ReadUnixFd())
            {
            }

            // Forwarding it would put no descriptor where the body's index points.
            var e = Assert.ThrowsAsync<InvalidOperationException>(async () => await b.SendAsync(received));
            Assert.That(e!.Message, Does.Contain("descriptor"));

            Assert.That(b.IsConnected, Is.True);
            await b.SendAsync(PeerPair.Signal("After", "x")).AsTask().WaitAsync(PeerPair.Timeout);
            using var after = await a.ReceiveAsync().AsTask().WaitAsync(PeerPair.Timeout);
            Assert.That(after.Member, Is.EqualTo("After"));
        }
    }
}

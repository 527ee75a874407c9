namespace DBus.Runtime.Tests.Wire;

/// <summary>A <see cref="Message"/> is a handle over pooled state: once disposed it must never read another message's state.</summary>
[TestFixture]
public class MessageLifetimeTests
{
    private static Message Call(string member)
    {
        var writer = MessageWriter.CreateMethodCall("org.test.Dest", new ObjectPath("/org/test"), "org.test.Iface", member, new Signature("s"));
        writer.WriteString(member + "-body");
        return writer.ToMessage();
    }

    [Test]
    public void A_disposed_message_throws_even_after_its_state_was_reused_by_the_next_message()
    {
        var first = Call("First");
        first.Dispose();
        // Built on the same thread right after: it takes the pooled state the first one released.
        using var second = Call("Second");
        Assert.That(() => first.Member, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => first.GetBodyReader(), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => first.Bytes, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(first.ToString(), Is.EqualTo("(disposed message)"));
        Assert.That(second.Member, Is.EqualTo("Second"));
    }

    [Test]
    public void Disposing_a_message_twice_leaves_the_message_that_reuses_its_state_intact()
    {
        var first = Call("First");
        first.Dispose();
        using var second = Call("Second");
        first.Dispose();
        Assert.That(second.Member, Is.EqualTo("Second"));
        Assert.That(second.GetBodyReader().ReadString(), Is.EqualTo("Second-body"));
    }

    [Test]
    public void A_message_with_several_holders_stays_readable_until_the_last_one_disposes_it()
    {
        var message = Call("Shared");
        message.AddReference();
        message.Dispose();
        Assert.That(message.GetBodyReader().ReadString(), Is.EqualTo("Shared-body"));
        message.Dispose();
        Assert.That(() => message.Member, Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void A_view_reads_its_message_and_fails_once_the_message_is_released_even_if_its_state_was_reused()
    {
        var first = Call("First");
        MessageView view = first;
        Assert.That(view.Member, Is.EqualTo("First"));
        Assert.That(view.GetBodyReader().ReadString(), Is.EqualTo("First-body"));
        first.Dispose();
        using var second = Call("Second");
        // The view was taken before: it must not read the second message, which reuses the state.
        string? seen = null;
        try
        {
            seen = view.Member;
        }
        catch (ObjectDisposedException)
        {
        }
        Assert.That(seen, Is.Null);
        Assert.That(() => ReadMember(first), Throws.InstanceOf<ObjectDisposedException>(), "a disposed message gives no view");
        Assert.That(second.Member, Is.EqualTo("Second"));
    }

    [Test]
    public void A_reader_kept_past_its_messages_disposal_cannot_take_the_descriptors_of_the_next_message()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var writer = MessageWriter.CreateSignal(new ObjectPath("/org/test"), "org.test.Iface", "Fd", new Signature("h"));
        writer.WriteUnixFd(pipe.SafePipeHandle);
        var first = writer.ToMessage();
        var reader = first.GetBodyReader();
        first.Dispose();

        var again = MessageWriter.CreateSignal(new ObjectPath("/org/test"), "org.test.Iface", "Fd", new Signature("h"));
        again.WriteUnixFd(pipe.SafePipeHandle);
        using var second = again.ToMessage();
        // The reader still points at state the second message now uses: taking a descriptor through it must fail.
        bool threw = false;
        try
        {
            reader.ReadUnixFd();
        }
        catch (ObjectDisposedException)
        {
            threw = true;
        }
        Assert.That(threw, Is.True);
        Assert.That(second.GetBodyReader().ReadUnixFd().IsValid, Is.True, "the second message keeps its descriptor");
    }

    private static string? ReadMember(MessageView view) => view.Member;
}

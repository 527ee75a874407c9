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
}

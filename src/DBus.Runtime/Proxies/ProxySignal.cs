namespace DBus;

/// <summary>A signal received through <see cref="ProxyObject.ConnectToSignalAsync"/> or <see cref="ProxyObject.WatchSignalAsync"/>:
/// its header and its arguments read into variants (the message itself is not kept).</summary>
public sealed class ProxySignal
{
    internal ProxySignal(Message message)
    {
        Sender = message.Sender;
        Path = message.Path ?? ObjectPath.Root;
        Interface = message.Interface ?? "";
        Member = message.Member ?? "";
        Signature = message.Signature;
        Arguments = VariantConverter.ReadValues(message.GetBodyReader(), message.Signature);
    }

    /// <summary>The unique name of the connection that emitted it.</summary>
    public string? Sender { get; }

    /// <summary>The emitting object.</summary>
    public ObjectPath Path { get; }

    /// <summary>The signal's interface.</summary>
    public string Interface { get; }

    /// <summary>The signal's name.</summary>
    public string Member { get; }

    /// <summary>The signature of the arguments.</summary>
    public Signature Signature { get; }

    /// <summary>The arguments (<see cref="Variant.ToObject"/> gives plain values).</summary>
    public IReadOnlyList<Variant> Arguments { get; }
}

namespace DBus;

/// <summary>What a full <see cref="MessageQueue"/> does with the next message.</summary>
public enum QueueFullMode
{
    /// <summary>The dispatch loop waits for room: nothing is lost, but every other message of the connection
    /// (replies included) waits too until the consumer catches up.</summary>
    Wait,

    /// <summary>The oldest queued message is dropped to make room (and counted).</summary>
    DropOldest,

    /// <summary>The new message is dropped (and counted).</summary>
    DropNewest,
}

/// <summary>The bound and overflow policy of a <see cref="MessageQueue"/>.</summary>
public sealed class MessageQueueOptions
{
    /// <summary>How many messages may wait in the queue (default 1024).</summary>
    public int Capacity { get; init; } = 1024;

    /// <summary>What happens when the queue is full (default <see cref="QueueFullMode.DropOldest"/>: a slow
    /// consumer never stalls the connection).</summary>
    public QueueFullMode FullMode { get; init; } = QueueFullMode.DropOldest;

    internal static readonly MessageQueueOptions Default = new();
}

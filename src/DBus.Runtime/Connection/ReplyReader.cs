namespace DBus;

/// <summary>
/// Turns a method return into a value, while the reply is lent to it (see
/// <see cref="DBusConnection.CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>). It runs on the
/// connection's dispatch thread; an exception it throws fails the call with that exception.
/// </summary>
public delegate T ReplyReader<T>(MessageView reply);

namespace DBus;

/// <summary>
/// Turns a method return into a value, while the reply is lent to it (see
/// <see cref="DBusConnection.CallAsync{T}(Message, ReplyReader{T}, TimeSpan?, CancellationToken)"/>). It runs on the
/// connection's dispatch thread; an exception it throws fails the call with that exception.
/// </summary>
public delegate T ReplyReader<T>(MessageView reply);

/// <summary>
/// A <see cref="ReplyReader{T}"/> that is also given the state passed with the call, so that a reader needing
/// context can be a static lambda: no closure is allocated per call (see
/// <see cref="DBusConnection.CallAsync{TState, T}(Message, ReplyReader{TState, T}, TState, TimeSpan?, CancellationToken)"/>).
/// </summary>
public delegate T ReplyReader<TState, T>(MessageView reply, TState state);

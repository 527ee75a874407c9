using DBus;

namespace Quickstart;

/// <summary>The served object: implements the generated handler interface, nothing else.</summary>
internal sealed class Greeter(DBusConnection connection, ObjectPath path) : IGreeterHandler
{
    private string _greeting = "Hello";

    public async ValueTask<string> GreetAsync(string name, MethodContext context)
    {
        // The generated extension emits the interface's signal from this object.
        await context.Connection.EmitGreetedAsync(context.Path, name);
        return $"{_greeting}, {name}!";
    }

    public string GetGreeting() => _greeting;

    public void SetGreeting(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new DBusException("org.freedesktop.DBus.Error.InvalidArgs", "a greeting must not be blank");
        }
        _greeting = value;
        connection.EmitPropertiesChanged(path, this, "Greeting");
    }
}

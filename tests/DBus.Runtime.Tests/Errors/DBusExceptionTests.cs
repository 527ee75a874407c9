namespace DBus.Runtime.Tests.Errors;

public class DBusExceptionTests
{
    [TestCase(DBusErrorNames.UnknownMethod, typeof(DBusUnknownMethodException))]
    [TestCase(DBusErrorNames.ServiceUnknown, typeof(DBusServiceUnknownException))]
    [TestCase(DBusErrorNames.NoReply, typeof(DBusNoReplyException))]
    [TestCase(DBusErrorNames.TimedOut, typeof(DBusNoReplyException))]
    [TestCase(DBusErrorNames.InvalidArgs, typeof(DBusInvalidArgsException))]
    [TestCase(DBusErrorNames.Disconnected, typeof(DBusDisconnectedException))]
    [TestCase("com.example.Error.Custom", typeof(DBusException))]
    public void Standard_names_become_typed_exceptions(string name, Type expected)
    {
        var ex = DBusException.Create(name, "it went wrong");
        Assert.Multiple(() =>
        {
            Assert.That(ex, Is.TypeOf(expected));
            Assert.That(ex.ErrorName, Is.EqualTo(name));
            Assert.That(ex.ErrorMessage, Is.EqualTo("it went wrong"));
            Assert.That(ex.Message, Is.EqualTo(name + ": it went wrong"));
        });
    }

    [Test]
    public void An_invalid_error_name_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new DBusException("NoDots", null));
        Assert.That(ex!.Message, Does.Contain("'NoDots' is not a valid D-Bus error name"));
    }

    [Test]
    public void Message_without_text_is_the_name() =>
        Assert.That(DBusException.Create("com.example.E", null).Message, Is.EqualTo("com.example.E"));
}

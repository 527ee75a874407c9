using DBus.Shared;

namespace DBus.Runtime.Tests.Shared;

public class DBusNameValidatorTests
{
    [TestCase("org.freedesktop.DBus")]
    [TestCase(":1.42")]
    [TestCase(":1.0")]
    [TestCase("com.example-app.Foo_Bar")]
    public void Valid_bus_names(string name) => Assert.That(DBusNameValidator.ValidateBusName(name), Is.Null);

    [TestCase("", "a bus name must not be empty")]
    [TestCase("org", "a bus name needs at least two elements separated by '.'")]
    [TestCase(".org.example", "a bus name must not begin with '.'")]
    [TestCase("org..example", "empty element at character 4: a bus name must not contain '..' or end with '.'")]
    [TestCase("org.example.", "a bus name must not end with '.'")]
    [TestCase("org.1example", "element of a well-known bus name begins with digit '1' at character 4")]
    [TestCase("org.exa$mple", "character '$' at 7 is not allowed in a bus name (only [A-Za-z0-9_-] and '.')")]
    public void Invalid_bus_names(string name, string reason) =>
        Assert.That(DBusNameValidator.ValidateBusName(name), Is.EqualTo(reason));

    [Test]
    public void Bus_name_length_limit()
    {
        string max = "a." + new string('b', 253);
        Assert.That(DBusNameValidator.ValidateBusName(max), Is.Null);
        Assert.That(DBusNameValidator.ValidateBusName(max + "c"), Does.StartWith("a bus name is at most 255"));
    }

    [TestCase("org.freedesktop.DBus.Properties", null)]
    [TestCase("org_x.y2", null)]
    [TestCase("org.free-desktop", "character '-' at 8 is not allowed in an interface name (only [A-Za-z0-9_] and '.')")]
    [TestCase("Properties", "an interface name needs at least two elements separated by '.'")]
    [TestCase("org.2x", "element of an interface name begins with digit '2' at character 4")]
    public void Interface_names(string name, string? reason) =>
        Assert.That(DBusNameValidator.ValidateInterfaceName(name), Is.EqualTo(reason));

    [TestCase("GetAll", null)]
    [TestCase("_x9", null)]
    [TestCase("9x", "a member name must not begin with a digit")]
    [TestCase("Get-All", "character '-' at 3 is not allowed in a member name (only [A-Za-z0-9_])")]
    [TestCase("a.b", "character '.' at 1 is not allowed in a member name (only [A-Za-z0-9_])")]
    [TestCase("", "a member name must not be empty")]
    public void Member_names(string name, string? reason) =>
        Assert.That(DBusNameValidator.ValidateMemberName(name), Is.EqualTo(reason));

    [TestCase("/", null)]
    [TestCase("/org/freedesktop/DBus", null)]
    [TestCase("/a_1/B2", null)]
    [TestCase("", "an object path must not be empty")]
    [TestCase("org", "an object path must begin with '/'")]
    [TestCase("/org/", "an object path other than '/' must not end with '/'")]
    [TestCase("/org//x", "empty element at character 5: an object path must not contain '//'")]
    [TestCase("/org/x-y", "character '-' at 6 is not allowed in an object path (only [A-Za-z0-9_] and '/')")]
    public void Object_paths(string path, string? reason) =>
        Assert.That(DBusNameValidator.ValidateObjectPath(path), Is.EqualTo(reason));

    [TestCase(":", -1, "a bus name needs at least two elements separated by '.'")]
    [TestCase(":.1", 1, "a bus name must not begin with '.'")]
    [TestCase("org..example", 4, null)]
    [TestCase("org.example.", 11, null)]
    [TestCase("org.1example", 4, null)]
    [TestCase("org", -1, null)]
    [TestCase("", -1, null)]
    public void Bus_name_error_positions(string name, int position, string? reason)
    {
        string? problem = DBusNameValidator.ValidateBusName(name, out int at);
        Assert.That(problem, Is.Not.Null);
        Assert.That(at, Is.EqualTo(position));
        Assert.That(problem, Is.EqualTo(DBusNameValidator.ValidateBusName(name)));
        if (reason is not null)
        {
            Assert.That(problem, Is.EqualTo(reason));
        }
    }

    [TestCase("org..x", 4)]
    [TestCase(".org.x", 0)]
    [TestCase("org.x.", 5)]
    [TestCase("org.x-y", 5)]
    [TestCase("org.9x", 4)]
    [TestCase("Properties", -1)]
    public void Interface_and_error_name_error_positions(string name, int position)
    {
        Assert.That(DBusNameValidator.ValidateInterfaceName(name, out int at), Is.Not.Null);
        Assert.That(at, Is.EqualTo(position));
        Assert.That(DBusNameValidator.ValidateErrorName(name, out at), Is.Not.Null);
        Assert.That(at, Is.EqualTo(position));
    }

    [TestCase("9x", 0)]
    [TestCase("Get-All", 3)]
    [TestCase("", -1)]
    public void Member_name_error_positions(string name, int position)
    {
        Assert.That(DBusNameValidator.ValidateMemberName(name, out int at), Is.Not.Null);
        Assert.That(at, Is.EqualTo(position));
    }

    [TestCase("org", 0)]
    [TestCase("/org/", 4)]
    [TestCase("/org//x", 5)]
    [TestCase("/org/x-y", 6)]
    [TestCase("", -1)]
    public void Object_path_error_positions(string path, int position)
    {
        Assert.That(DBusNameValidator.ValidateObjectPath(path, out int at), Is.Not.Null);
        Assert.That(at, Is.EqualTo(position));
    }

    [Test]
    public void Valid_names_have_no_error_position()
    {
        DBusNameValidator.ValidateObjectPath("/", out int at);
        Assert.That(at, Is.EqualTo(-1));
        DBusNameValidator.ValidateBusName("org.example.App", out at);
        Assert.That(at, Is.EqualTo(-1));
    }
}

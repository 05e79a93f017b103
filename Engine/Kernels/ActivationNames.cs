namespace Engine.Kernels;

/// <summary>Parsing and printing of <see cref="Activation"/> with Keras' names.</summary>
internal static class ActivationNames
{
    /// <summary>The Keras name: linear, relu, tanh, sigmoid, hard_sigmoid, hard_sigmoid_keras3.</summary>
    public static string Name(this Activation a)
    {
        var call = new NameCall();
        ActivationDispatch.Run(a, ref call);
        return call.Result!;
    }

    /// <summary>Parses a Keras activation name; throws <see cref="ArgumentException"/> naming the accepted
    /// names.</summary>
    public static Activation Parse(string name) => TryParse(name, out var a)
        ? a
        : throw new ArgumentException($"unknown activation '{name}': expected {Accepted}", nameof(name));

    /// <summary>
    /// Parses a Keras activation name, ignoring case, surrounding blanks and '_' or '-' (hardsigmoid, hard-sigmoid).
    /// </summary>
    public static bool TryParse(string? name, out Activation activation)
    {
        string key = Key(name ?? "");
        foreach (var a in Enum.GetValues<Activation>())
            if (Key(a.Name()) == key)
            {
                activation = a;
                return true;
            }
        activation = Activation.Linear;
        return false;
    }

    private static string Key(string name) => name.Trim().ToLowerInvariant().Replace("_", "").Replace("-", "");

    /// <summary>The accepted names for messages: "linear, relu, tanh, sigmoid, hard_sigmoid or
    /// hard_sigmoid_keras3".</summary>
    public static string Accepted
    {
        get
        {
            var names = Enum.GetValues<Activation>().Select(a => a.Name()).ToArray();
            return string.Join(", ", names[..^1]) + " or " + names[^1];
        }
    }

    private struct NameCall : IActivationCall
    {
        public string? Result;

        public void Run<TA>() where TA : struct, IActivationOperator => Result = TA.Name;
    }
}

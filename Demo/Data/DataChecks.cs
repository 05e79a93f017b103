using System.Globalization;
using Engine.IO;

namespace Demo.Data;

/// <summary>
/// Checks of the data before training (issue 12): each finding is one line, a warning added to
/// <see cref="SeriesLayout.Warnings"/> (printed, kept in the model file and shown at the top of reports) or an
/// <see cref="InputException"/> where the answer would be meaningless. The others live where the data is read:
/// constant features (<see cref="SeriesLayout"/>), mixed time types (an error naming both lines), a header that is
/// not UTF-8 and a detected semicolon or tab delimiter (<see cref="CsvReader"/>).
/// </summary>
public static class DataChecks
{
    /// <summary>
    /// The loss to train with: <paramref name="given"/>, else bce when every target is 0 or 1 and mse otherwise.
    /// Errors:
    /// bce on a target that is not 0/1 (naming the first such line), bce on one class only. Warnings: a default mse on
    /// a target that is 0 or 1 on all rows but one or at most 1% (naming the first other value and its line), a
    /// constant target.
    /// </summary>
    public static string ChooseLoss(SeriesLayout data, string? given)
    {
        if (given == "cce") return given; // class labels: checked as they are read (SeriesLayout)
        if (data.TargetNames.Length > 1)
            return given is null or "mse" ? "mse"
                : throw new InputException($"{data.Path}: --target names {data.TargetNames.Length} columns: several " +
                                           $"targets train with --loss mse, not {given}");
        long zeros = 0, ones = 0, others = 0;
        (float Value, int Line) firstOther = default, first = default;
        bool constant = true;
        foreach (var cell in data.TargetCells())
        {
            if (zeros + ones + others == 0) first = cell;
            else if (cell.Value != first.Value) constant = false;
            if (cell.Value == 0f) zeros++;
            else if (cell.Value == 1f) ones++;
            else if (others++ == 0) firstOther = cell;
        }
        long rows = zeros + ones + others;
        string loss = given ?? (others == 0 ? "bce" : "mse");
        string column = ErrorText.Quote(data.TargetName ?? "");
        if (loss == "bce")
        {
            if (others > 0)
                throw new InputException(
                    $"{data.Path}:{firstOther.Line}: column {column} has {Number(firstOther.Value)}, but --loss bce " +
                        "needs targets of 0 or 1 (use --loss mse for a numeric target)");
            if (zeros == 0 || ones == 0)
                throw new InputException(
                    $"{data.Path}: column {column} is {(zeros == 0 ? 1 : 0)} on every row: one class only, so a " +
                        "0/1 model has nothing to learn (give data with both classes)");
        }
        // A default mse has some value other than 0 and 1 (others > 0).
        else if (given is null && zeros > 0 && ones > 0 && others <= Math.Max(1, rows / 100))
            data.Warn($"{data.Path}:{firstOther.Line}: column {column} looks binary (0 or 1 on {rows - others} of " +
                      $"{rows} rows) but has {Number(firstOther.Value)} here: trained as a numeric target with mse " +
                      "(fix the value, or give --loss mse to train on the numbers)");
        // bce on a constant target (one class, or a value other than 0 and 1) was refused above.
        if (constant && rows > 0)
            data.Warn($"{data.Path}: column {column} is {Number(first.Value)} on every row: there is nothing to " +
                      "learn and every importance will be 0");
        return loss;
    }

    /// <summary>Warns when fewer than 2 series are held out for validation although a split was asked for (its loss
    /// then says little: one series, or none).</summary>
    public static void ValidationSeries(SeriesLayout data, float validation, int held)
    {
        if (validation <= 0 || held >= 2) return;
        data.Warn(held == 0
            ? $"{data.Path}: only {data.Count} series: none is held out for validation (no validation loss)"
            : $"{data.Path}: only {held} of {data.Count} series is held out for validation: its loss says little " +
                "(use more series, or a larger --validation)");
    }

    private static string Number(float v) => v.ToString(CultureInfo.InvariantCulture);
}

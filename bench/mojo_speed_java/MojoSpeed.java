import hex.ModelCategory;
import hex.genmodel.GenModel;
import hex.genmodel.MojoModel;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import hex.genmodel.easy.prediction.AbstractPrediction;
import hex.genmodel.easy.prediction.AutoEncoderModelPrediction;
import hex.genmodel.easy.prediction.BinomialModelPrediction;
import hex.genmodel.easy.prediction.MultinomialModelPrediction;
import hex.genmodel.easy.prediction.RegressionModelPrediction;

import java.io.BufferedReader;
import java.io.FileReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Scoring speed of h2o-genmodel's EasyPredictModelWrapper (bench/mojo_speed.py).
 *  usage: java -cp h2o.jar:DIR MojoSpeed mojo|pojo TARGET rows.csv out.bin PASSES
 *  TARGET: the MOJO zip (MojoModel.load) or a GenModel class name (a POJO's adapter).
 *  rows.csv: a header, then one row a line, cells without quotes or commas, missing cells empty.
 *  The rows become RowData once (a level as text, a number as Double, a missing cell left out),
 *  then one warm-up pass and PASSES timed passes call wrapper.predict on every row.
 *  out.bin: int32 rows, int32 width, rows*width little-endian doubles of the last pass (the class
 *  index and the class probabilities, the value, or the reconstruction); out.bin.names: the width
 *  names. stdout: one JSON line of timings. */
public class MojoSpeed {
  public static void main(String[] args) throws Exception {
    String mode = args[0], target = args[1];
    int passes = Integer.parseInt(args[4]);
    long t0 = System.nanoTime();
    GenModel model = mode.equals("mojo") ? MojoModel.load(target)
        : (GenModel) Class.forName(target).getDeclaredConstructor().newInstance();
    EasyPredictModelWrapper wrapper = new EasyPredictModelWrapper(new EasyPredictModelWrapper.Config()
        .setModel(model).setConvertUnknownCategoricalLevelsToNa(true).setConvertInvalidNumbersToNa(true));
    double loadS = (System.nanoTime() - t0) / 1e9;

    t0 = System.nanoTime();
    RowData[] rows = readRows(args[2], model);
    double rowDataS = (System.nanoTime() - t0) / 1e9;

    String[] names = outputNames(model);
    double[][] out = new double[rows.length][names.length];
    t0 = System.nanoTime();
    predictAll(wrapper, rows, out);
    double firstS = (System.nanoTime() - t0) / 1e9;
    double best = Double.MAX_VALUE, total = 0;
    for (int p = 0; p < passes; p++) {
      t0 = System.nanoTime();
      predictAll(wrapper, rows, out);
      double s = (System.nanoTime() - t0) / 1e9;
      best = Math.min(best, s);
      total += s;
    }
    write(args[3], out, names);
    System.out.printf("{\"rows\": %d, \"width\": %d, \"load_s\": %.6f, \"rowdata_s\": %.6f, \"first_pass_s\": %.6f, "
        + "\"best_pass_s\": %.6f, \"mean_pass_s\": %.6f, \"passes\": %d, \"category\": \"%s\"}%n",
        rows.length, names.length, loadS, rowDataS, firstS, best, total / Math.max(passes, 1), passes,
        model.getModelCategory());
  }

  static void predictAll(EasyPredictModelWrapper w, RowData[] rows, double[][] out) throws Exception {
    for (int i = 0; i < rows.length; i++) {
      AbstractPrediction p = w.predict(rows[i]);
      double[] o = out[i];
      if (p instanceof BinomialModelPrediction) {
        BinomialModelPrediction b = (BinomialModelPrediction) p;
        o[0] = b.labelIndex;
        System.arraycopy(b.classProbabilities, 0, o, 1, b.classProbabilities.length);
      } else if (p instanceof MultinomialModelPrediction) {
        MultinomialModelPrediction m = (MultinomialModelPrediction) p;
        o[0] = m.labelIndex;
        System.arraycopy(m.classProbabilities, 0, o, 1, m.classProbabilities.length);
      } else if (p instanceof RegressionModelPrediction) {
        o[0] = ((RegressionModelPrediction) p).value;
      } else if (p instanceof AutoEncoderModelPrediction) {
        double[] r = ((AutoEncoderModelPrediction) p).reconstructed;
        System.arraycopy(r, 0, o, 0, r.length);
      } else {
        throw new IllegalStateException("unexpected prediction " + p.getClass().getName());
      }
    }
  }

  /** The predictors (the model's columns but the response), by name. */
  static Map<String, Integer> predictors(GenModel m) {
    Map<String, Integer> idx = new HashMap<>();
    String[] names = m.getNames();
    for (int i = 0; i < names.length; i++) {
      if (m.isSupervised() && names[i].equals(m.getResponseName())) continue;
      idx.put(names[i], i);
    }
    return idx;
  }

  static RowData[] readRows(String path, GenModel m) throws Exception {
    Map<String, Integer> idx = predictors(m);
    List<RowData> rows = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new FileReader(path))) {
      String[] header = in.readLine().split(",", -1);
      int[] col = new int[header.length];
      boolean[] factor = new boolean[header.length];
      for (int j = 0; j < header.length; j++) {
        Integer i = idx.get(header[j]);
        col[j] = i == null ? -1 : i;
        factor[j] = i != null && m.getDomainValues(i) != null;
      }
      String line;
      while ((line = in.readLine()) != null) {
        String[] cells = line.split(",", -1);
        RowData row = new RowData();
        for (int j = 0; j < header.length; j++) {
          if (col[j] < 0 || cells[j].isEmpty()) continue;
          row.put(header[j], factor[j] ? cells[j] : (Object) Double.valueOf(cells[j]));
        }
        rows.add(row);
      }
    }
    return rows.toArray(new RowData[0]);
  }

  /** predict and the response's levels; the value; or the reconstructed inputs in genmodel's layout
   *  (each factor's levels and its missing(NA) input, then the numbers). */
  static String[] outputNames(GenModel m) {
    List<String> names = new ArrayList<>();
    ModelCategory c = m.getModelCategory();
    if (c == ModelCategory.Binomial || c == ModelCategory.Multinomial) {
      names.add("predict");
      for (String level : m.getDomainValues(m.getResponseIdx())) names.add(level);
    } else if (c == ModelCategory.Regression) {
      names.add("predict");
    } else if (c == ModelCategory.AutoEncoder) {
      String[] cols = m.getNames();
      for (int i = 0; i < cols.length; i++) {
        String[] dom = m.getDomainValues(i);
        if (dom == null) continue;
        for (String level : dom) names.add("reconstr_" + cols[i] + "." + level);
        names.add("reconstr_" + cols[i] + ".missing(NA)");
      }
      for (int i = 0; i < cols.length; i++) if (m.getDomainValues(i) == null) names.add("reconstr_" + cols[i]);
    } else {
      throw new IllegalStateException("model category " + c + " is not benchmarked");
    }
    return names.toArray(new String[0]);
  }

  static void write(String path, double[][] out, String[] names) throws Exception {
    int w = names.length;
    ByteBuffer buf = ByteBuffer.allocate(8 + 8 * out.length * w).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(out.length).putInt(w);
    for (double[] r : out) for (double v : r) buf.putDouble(v);
    Files.write(Paths.get(path), buf.array());
    Files.write(Paths.get(path + ".names"), String.join("\n", names).concat("\n").getBytes("UTF-8"));
  }
}

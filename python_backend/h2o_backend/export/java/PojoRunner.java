import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Scores a binary file of rows with a generated POJO (tests and benchmarks).
 *  usage: java -cp DIR PojoRunner CLASS in.bin out.bin [passes]
 *  in.bin: int32 rows, int32 cols, then rows*cols little-endian doubles (row-major);
 *  out.bin: int32 rows, int32 preds, then rows*preds doubles. With passes > 1 every pass scores
 *  all rows again (JIT warm-up); stdout gets one line "rows_per_s <best pass>". */
public class PojoRunner {
  public static void main(String[] args) throws Exception {
    Class<?> cls = Class.forName(args[0]);
    Object model = cls.getDeclaredConstructor().newInstance();
    Method score0 = cls.getMethod("score0", double[].class, double[].class);
    int predsSize = cls.getField("PREDS_SIZE").getInt(null);
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(Paths.get(args[1]))).order(ByteOrder.LITTLE_ENDIAN);
    int n = in.getInt(), p = in.getInt();
    double[][] rows = new double[n][p];
    for (double[] r : rows) { in.asDoubleBuffer().get(r); in.position(in.position() + 8 * p); }
    int passes = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    double[][] preds = new double[n][predsSize];
    double best = 0;
    for (int pass = 0; pass < passes; pass++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) score0.invoke(model, rows[i], preds[i]);
      double secs = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, n / Math.max(secs, 1e-9));
    }
    ByteBuffer out = ByteBuffer.allocate(8 + 8 * n * predsSize).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(n).putInt(predsSize);
    for (double[] r : preds) for (double v : r) out.putDouble(v);
    Files.write(Paths.get(args[2]), out.array());
    System.out.println("rows_per_s " + best);
  }
}

// im2col and col2im (Note [Convolution by im2col and GEMM]). Row r of an image's im2col matrix belongs
// to input channel r / (kH·kW) and kernel offset (ky, kx); its element (oy, ox) is the input at
// (oy·sH − pH + ky·dH, ox·sW − pW + kx·dW), zero outside the image.
//
// Note [Same-width rows]
// With stride 1 and an output as wide as the input (a "same" convolution: 2·pW = dW·(kW − 1)), a row's
// valid part is the input plane shifted by one flat offset: output (oy, ox) reads plane element
// (oy + rowShift)·W + ox + colShift. One flat copy then fills all valid rows at once, and only the
// columns the shift pushes across the left and right edges (fewer than kW per row) are patched to zero
// afterwards. col2im does the converse: it zeroes those columns in the scratch matrix (which it owns)
// and adds the rest back with one flat loop. Short rows (28 columns) are otherwise dominated by
// per-row overhead.

/// Copies the receptive fields of the image `x` [C, H, W] into `cols` [C·kH·kW, OH·OW], zeros over the
/// padding, splitting the rows across cores when `split`; returns `cols`.
func im2col<T: ConvElement>(
    _ x: UnsafePointer<T>, into cols: UnsafeMutablePointer<T>, _ g: Conv2dGeometry, split: Bool
) -> UnsafePointer<T> {
    let rows = g.channels * g.kernelH * g.kernelW
    let blocks = split ? blockCount(rows, work: rows * g.positions, grain: Grain.cheap) : 1
    parallelBlocks(rows, blocks: blocks) { _, range in
        let k = RowGeometry(g)
        for r in range {
            let plane = x + r / (k.kernelH * k.kernelW) * k.height * k.width
            let row = cols + r * k.outH * k.outW
            k.isSameWidth ? k.copySameWidth(r, plane, row) : k.copy(r, plane, row)
        }
    }
    return UnsafePointer(cols)
}

/// Sets the image `x` [C, H, W] to the sum of the columns of `cols` [C·kH·kW, OH·OW] over the windows
/// they came from (the adjoint of im2col), splitting the channels across cores when `split`. May
/// overwrite `cols`.
func col2im<T: ConvElement>(
    _ cols: UnsafeMutablePointer<T>, into x: UnsafeMutablePointer<T>, _ g: Conv2dGeometry, split: Bool
) {
    let window = g.kernelH * g.kernelW
    let blocks =
        split ? blockCount(g.channels, work: g.channels * window * g.positions, grain: Grain.cheap) : 1
    parallelBlocks(g.channels, blocks: blocks) { _, channels in
        let k = RowGeometry(g)
        for c in channels {
            let plane = x + c * k.height * k.width
            plane.update(repeating: 0, count: k.height * k.width)
            for r in c * window..<(c + 1) * window {
                let row = cols + r * k.outH * k.outW
                k.isSameWidth ? k.addSameWidth(r, row, plane) : k.add(r, row, plane)
            }
        }
    }
}

/// The sizes im2col and col2im use, as plain stored properties: a loop that stores through a pointer
/// cannot keep the fields of a captured geometry in registers, these it can.
private struct RowGeometry {
    let height: Int, width: Int, outH: Int, outW: Int, kernelH: Int, kernelW: Int
    let strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int
    /// Note [Same-width rows].
    let isSameWidth: Bool

    init(_ g: Conv2dGeometry) {
        (height, width, outH, outW) = (g.height, g.width, g.outH, g.outW)
        (kernelH, kernelW, strideH, strideW) = (g.kernelH, g.kernelW, g.strideH, g.strideW)
        (padH, padW, dilationH, dilationW) = (g.padH, g.padW, g.dilationH, g.dilationW)
        isSameWidth = strideH == 1 && strideW == 1 && outW == width
    }

    /// Row r's kernel offset as input shifts: rows `oy + rowShift`, columns `ox · strideW + colShift`.
    @inline(__always)
    func shifts(_ r: Int) -> (row: Int, col: Int) {
        (r / kernelW % kernelH * dilationH - padH, r % kernelW * dilationW - padW)
    }

    /// The output columns `lo..<hi` whose input column `ox · strideW + shift` lies in the image.
    @inline(__always)
    func columns(_ shift: Int) -> (lo: Int, hi: Int) {
        let first = shift >= 0 ? 0 : (strideW - 1 - shift) / strideW
        let end = width - 1 - shift < 0 ? 0 : (width - 1 - shift) / strideW + 1
        let lo = Swift.min(first, outW)
        return (lo, Swift.max(lo, Swift.min(end, outW)))
    }

    /// The output rows `oy0..<oy1` of a same-width row whose input row `oy + shift` lies in the image.
    @inline(__always)
    func sameWidthRows(_ shift: Int) -> (Int, Int) {
        let oy0 = Swift.min(Swift.max(0, -shift), outH)
        return (oy0, Swift.max(oy0, Swift.min(outH, height - shift)))
    }

    // MARK: General rows

    @inline(__always)
    func copy<T: ConvElement>(_ r: Int, _ plane: UnsafePointer<T>, _ row: UnsafeMutablePointer<T>) {
        let (rowShift, colShift) = shifts(r)
        let (lo, hi) = columns(colShift)
        var dst = row
        for oy in 0..<outH {
            defer { dst += outW }
            let iy = oy &* strideH &+ rowShift
            guard iy >= 0 && iy < height else {
                dst.update(repeating: 0, count: outW)
                continue
            }
            // src[ox · strideW] is the input under output column ox (valid for lo..<hi).
            let src = plane + (iy &* width &+ colShift)
            for ox in 0..<lo { dst[ox] = 0 }
            if strideW == 1 {
                for ox in lo..<hi { dst[ox] = src[ox] }
            } else {
                for ox in lo..<hi { dst[ox] = src[ox &* strideW] }
            }
            for ox in hi..<outW { dst[ox] = 0 }
        }
    }

    @inline(__always)
    func add<T: ConvElement>(_ r: Int, _ row: UnsafeMutablePointer<T>, _ plane: UnsafeMutablePointer<T>) {
        let (rowShift, colShift) = shifts(r)
        let (lo, hi) = columns(colShift)
        var src = UnsafePointer(row)
        for oy in 0..<outH {
            defer { src += outW }
            let iy = oy &* strideH &+ rowShift
            guard iy >= 0 && iy < height else { continue }
            let dst = plane + (iy &* width &+ colShift)
            if strideW == 1 {
                for ox in lo..<hi { dst[ox] += src[ox] }
            } else {
                for ox in lo..<hi { dst[ox &* strideW] += src[ox] }
            }
        }
    }

    // MARK: Same-width rows (Note [Same-width rows])

    @inline(__always)
    func copySameWidth<T: ConvElement>(_ r: Int, _ plane: UnsafePointer<T>, _ row: UnsafeMutablePointer<T>) {
        let (rowShift, colShift) = shifts(r)
        let (lo, hi) = columns(colShift)
        let (oy0, oy1) = sameWidthRows(rowShift)
        let total = outH * outW
        guard oy0 < oy1 && lo < hi else {
            row.update(repeating: 0, count: total)
            return
        }
        let (start, end) = (oy0 * outW + lo, (oy1 - 1) * outW + hi)
        let src = plane + (rowShift &* width &+ colShift)
        for i in 0..<start { row[i] = 0 }
        for i in start..<end { row[i] = src[i] }
        for i in end..<total { row[i] = 0 }
        zeroColumns(row, rows: oy0..<oy1, lo: lo, hi: hi)
    }

    /// Zeroes the columns outside `lo..<hi` of `rows`: a strided loop per column (a few columns of many
    /// rows), never a `memset` call per row.
    @inline(__always)
    func zeroColumns<T: ConvElement>(_ matrix: UnsafeMutablePointer<T>, rows: Range<Int>, lo: Int, hi: Int) {
        for ox in 0..<outW where ox < lo || ox >= hi {
            var p = matrix + (rows.lowerBound &* outW &+ ox)
            for _ in rows {
                p.pointee = 0
                p += outW
            }
        }
    }

    @inline(__always)
    func addSameWidth<T: ConvElement>(
        _ r: Int, _ row: UnsafeMutablePointer<T>, _ plane: UnsafeMutablePointer<T>
    ) {
        let (rowShift, colShift) = shifts(r)
        let (lo, hi) = columns(colShift)
        let (oy0, oy1) = sameWidthRows(rowShift)
        guard oy0 < oy1 && lo < hi else { return }
        zeroColumns(row, rows: oy0..<oy1, lo: lo, hi: hi)
        let dst = plane + (rowShift &* width &+ colShift)
        for i in oy0 * outW + lo..<(oy1 - 1) * outW + hi { dst[i] += row[i] }
    }
}

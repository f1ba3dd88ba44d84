//! The little dense linear algebra the differential measures need: small
//! row-major matrices, products, determinants and inverses.

/// A dense matrix as rows.
pub type Mat = Vec<Vec<f64>>;

/// Largest matrix dimension the lab takes.
pub const MAX_DIM: usize = 8;

/// Rows and columns of a matrix, checked: rectangular, at most
/// [`MAX_DIM`] each way, finite entries of at most 1e6.
pub fn shape(a: &Mat) -> Result<(usize, usize), String> {
    let r = a.len();
    if r == 0 {
        return Err("a matrix needs at least one row".into());
    }
    let c = a[0].len();
    if c == 0 {
        return Err("a matrix needs at least one column".into());
    }
    if let Some(i) = a.iter().position(|row| row.len() != c) {
        return Err(format!(
            "row {} has {} entries but row 1 has {c}",
            i + 1,
            a[i].len()
        ));
    }
    if r > MAX_DIM || c > MAX_DIM {
        return Err(format!("a {r}x{c} matrix; this lab takes at most {MAX_DIM}x{MAX_DIM}"));
    }
    if a.iter().flatten().any(|v| !v.is_finite() || v.abs() > 1e6) {
        return Err("a matrix entry is not a finite number of at most 1e6 in size".into());
    }
    Ok((r, c))
}

/// n x n identity.
pub fn identity(n: usize) -> Mat {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// Transpose.
pub fn transpose(a: &Mat) -> Mat {
    let (r, c) = (a.len(), a[0].len());
    (0..c).map(|j| (0..r).map(|i| a[i][j]).collect()).collect()
}

/// Product a b.
pub fn mul(a: &Mat, b: &Mat) -> Mat {
    let (r, k, c) = (a.len(), b.len(), b[0].len());
    assert_eq!(a[0].len(), k, "inner dimensions");
    (0..r)
        .map(|i| (0..c).map(|j| (0..k).map(|t| a[i][t] * b[t][j]).sum()).collect())
        .collect()
}

/// a - b.
pub fn sub(a: &Mat, b: &Mat) -> Mat {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p - q).collect())
        .collect()
}

/// Matrix times vector.
pub fn mul_vec(a: &Mat, v: &[f64]) -> Vec<f64> {
    a.iter()
        .map(|row| row.iter().zip(v).map(|(x, y)| x * y).sum())
        .collect()
}

/// Trace.
pub fn trace(a: &Mat) -> f64 {
    (0..a.len()).map(|i| a[i][i]).sum()
}

/// LU decomposition with partial pivoting; returns (lu, permutation sign) or
/// None when singular.
fn lu(a: &Mat) -> Option<(Mat, Vec<usize>, f64)> {
    let n = a.len();
    let mut m = a.clone();
    let mut perm: Vec<usize> = (0..n).collect();
    let mut sign = 1.0;
    let scale = a
        .iter()
        .flatten()
        .fold(0.0f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() <= 1e-13 * scale {
            return None;
        }
        if pivot != col {
            m.swap(pivot, col);
            perm.swap(pivot, col);
            sign = -sign;
        }
        for r in col + 1..n {
            let f = m[r][col] / m[col][col];
            m[r][col] = f;
            for c in col + 1..n {
                m[r][c] -= f * m[col][c];
            }
        }
    }
    Some((m, perm, sign))
}

/// Natural log of |det a| (−inf when singular).
pub fn ln_abs_det(a: &Mat) -> f64 {
    match lu(a) {
        None => f64::NEG_INFINITY,
        Some((m, _, _)) => (0..a.len()).map(|i| crate::math::ln(m[i][i].abs())).sum(),
    }
}

/// Determinant.
pub fn det(a: &Mat) -> f64 {
    match lu(a) {
        None => 0.0,
        Some((m, _, sign)) => sign * (0..a.len()).map(|i| m[i][i]).product::<f64>(),
    }
}

/// Inverse, or None when singular.
pub fn inverse(a: &Mat) -> Option<Mat> {
    let n = a.len();
    let (m, perm, _) = lu(a)?;
    let mut inv = vec![vec![0.0; n]; n];
    for col in 0..n {
        // Solve L U x = P e_col.
        let mut x: Vec<f64> = (0..n).map(|i| if perm[i] == col { 1.0 } else { 0.0 }).collect();
        for i in 0..n {
            for k in 0..i {
                x[i] -= m[i][k] * x[k];
            }
        }
        for i in (0..n).rev() {
            for k in i + 1..n {
                x[i] -= m[i][k] * x[k];
            }
            x[i] /= m[i][i];
        }
        for i in 0..n {
            inv[i][col] = x[i];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_det() {
        let a = vec![vec![2.0, 1.0, 0.0], vec![1.0, 3.0, 1.0], vec![0.0, 1.0, 4.0]];
        let inv = inverse(&a).unwrap();
        let id = mul(&a, &inv);
        for i in 0..3 {
            for j in 0..3 {
                assert!((id[i][j] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        assert!((det(&a) - 18.0).abs() < 1e-12);
        assert!((ln_abs_det(&a) - 18f64.ln()).abs() < 1e-12);
        let swap = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        assert!((det(&swap) + 1.0).abs() < 1e-12);
        assert!(inverse(&vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    #[test]
    fn shapes() {
        assert!(shape(&vec![]).is_err());
        assert!(shape(&vec![vec![1.0], vec![1.0, 2.0]]).is_err());
        assert_eq!(shape(&vec![vec![1.0, 2.0]]).unwrap(), (1, 2));
    }
}

//! HTTP handler for the 360° page.

use actix_web::{web, HttpResponse};

use crate::access::{Consultations, Customers, Read};
use crate::app::App;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::http::{reading, Api};

pub fn routes(api: &mut Api) {
    api.get(
        "/customers/{id}/overview",
        "The 360° page: profile, stages, consultations, referrals, newest timeline events",
        overview,
    );
}

async fn overview(
    app: web::Data<App>,
    auth: Authenticated,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let out = reading(app, move |app| {
        let (grant, (overview, store_id)) = app.db.read_sync(|c| {
            let p = auth.principal_on(app, c)?;
            let grant = app.access.grant::<Customers, Read>(&p)?;
            let consultations = app.access.grant::<Consultations, Read>(&p).ok();
            let out = super::overview(c, app, &grant, consultations.as_ref(), id)?;
            Ok::<_, crate::error::Error>((grant, out))
        })?;
        // Opening the page is a view of the customer, like GET /customers/{id}.
        crate::domain::customers::service::record_view(app, &grant, id, store_id);
        Ok(overview)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}
